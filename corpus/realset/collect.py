#!/usr/bin/env python3
"""Collect real Dockerfiles from fetched repository snapshots into a folder
outside the project, with the build context beside each (the files under the
Dockerfile's folder, small files only), and write an index.

usage: collect.py MIRROR_DIR OUT_DIR [--per-repo N] [--index INDEX.tsv] [--jobs N]
  MIRROR_DIR  folder of <owner>+<name>/repo git directories (the `fetch` tool's)
  OUT_DIR     gets files/<owner>+<name>/<path>/... and all.tsv
  --index     rebuild exactly the rows of INDEX.tsv (repository, path, commit,
              language, kind): only those repositories are read, each file is
              read at the commit the index names (a snapshot whose history lacks
              it is reported, and its HEAD is not used instead), and every
              language/kind read again is compared with the index's; any
              difference is printed and the exit status is 1.
              Without it every snapshot in MIRROR_DIR is read at HEAD, taking at
              most N files named `Dockerfile` per repository (shallowest first).

Nothing here builds or runs the fetched code: it reads blobs with git.
"""
import concurrent.futures, os, re, subprocess, sys, threading

MAX_BLOB = 512 * 1024
MAX_FILES = 4000
SKIP_DIRS = re.compile(r"(^|/)(node_modules|vendor|third_party|\.devcontainer)/")

IMAGE_LANG = [
    (re.compile(r"(^|/)(node|nodejs|alpine-node)$|mhart/alpine-node"), "node"),
    (re.compile(r"(^|/)golang$"), "go"),
    (re.compile(r"(^|/)(python|pypy)$|tiangolo/(uvicorn|meinheld|uwsgi)"), "python"),
    (re.compile(r"(^|/)(openjdk|eclipse-temurin|maven|gradle|amazoncorretto|adoptopenjdk|ibm-semeru-runtimes|zulu-openjdk|sapmachine|tomcat)$|liberica"), "java"),
    (re.compile(r"mcr\.microsoft\.com/dotnet|microsoft/dotnet|microsoft/aspnetcore"), "dotnet"),
]
CMD_LANG = [
    (re.compile(r"\b(dotnet (restore|publish|build|run)|dotnet [\w./-]+\.dll)"), "dotnet"),
    (re.compile(r"\b(mvn|mvnw|gradle|gradlew)\b|java\s+-jar"), "java"),
    (re.compile(r"\bgo (build|run|mod|install)\b"), "go"),
    (re.compile(r"\b(npm|yarn|pnpm) (install|ci|run|start)\b|\bnode [\w./-]+\.m?js"), "node"),
    (re.compile(r"\b(pip3?|poetry|pipenv|uv) (install|sync)\b|\bpython3? [\w./-]+\.py|gunicorn|uvicorn"), "python"),
]
FROM_RE = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)", re.I | re.M)


def git(gitdir, *args, text=True):
    return subprocess.run(["git", "--git-dir", gitdir, *args], capture_output=True, text=text, check=True).stdout


def language(text):
    froms = FROM_RE.findall(text)
    if froms:
        img = froms[0].lower().split("@")[0]
        name = img.rsplit(":", 1)[0] if ":" in img.rsplit("/", 1)[-1] else img
        for rx, lang in IMAGE_LANG:
            if rx.search(name):
                return lang, "language-image"
    for rx, lang in CMD_LANG:
        if rx.search(text):
            return lang, "generic-image"
    return "", "outside"


def classify(text):
    nfrom = len(FROM_RE.findall(text))
    lang, how = language(text)
    kind = "multi-stage" if nfrom > 1 else ("no-from" if nfrom == 0 else how)
    return lang or "-", kind


def gitdir_of(mirror, entry):
    gitdir = os.path.join(mirror, entry, "repo")
    if os.path.isdir(os.path.join(gitdir, ".git")):
        gitdir = os.path.join(gitdir, ".git")
    return gitdir if os.path.isdir(gitdir) else None


def write_blobs(gitdir, wanted, dest_root):
    """Write the blobs [(path, sha)] under dest_root with one `git cat-file --batch`."""
    if not wanted:
        return
    proc = subprocess.Popen(["git", "--git-dir", gitdir, "cat-file", "--batch"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    def feed():  # in a thread: cat-file answers while it reads, and both pipes are bounded
        proc.stdin.write("".join(sha + "\n" for _, sha in wanted).encode())
        proc.stdin.close()
    feeder = threading.Thread(target=feed)
    feeder.start()
    for path, sha in wanted:
        header = proc.stdout.readline().split()
        if len(header) < 3:  # "<sha> missing"
            continue
        data = proc.stdout.read(int(header[2]))
        proc.stdout.read(1)  # the newline after each object
        dest = os.path.join(dest_root, path)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "wb") as f:
            f.write(data)
    feeder.join()
    proc.wait()


def collect_repo(mirror, out, entry, per_repo, only=None):
    """Rows for one snapshot. `only` maps path -> (commit, lang, kind) from an index."""
    gitdir = gitdir_of(mirror, entry)
    repo = entry.replace("+", "/", 1)
    if gitdir is None:
        return [], ([f"{repo}: no snapshot in {mirror}"] if only else [])
    notes, rows = [], []
    by_commit = {}
    if only:
        for path, (commit, _, _) in only.items():
            by_commit.setdefault(commit, []).append(path)
    else:
        try:
            by_commit[git(gitdir, "rev-parse", "HEAD").strip()] = None
        except subprocess.CalledProcessError:
            return [], []
    dest_root = os.path.join(out, "files", entry)
    written = set()
    for commit, paths in sorted(by_commit.items()):
        try:
            listing = git(gitdir, "ls-tree", "-r", "-l", commit)
        except subprocess.CalledProcessError:
            notes.append(f"{repo}: commit {commit} is not in the snapshot")
            continue
        blobs = []
        for line in listing.splitlines():
            meta, path = line.split("\t", 1)
            parts = meta.split()
            if parts[1] != "blob" or not parts[3].isdigit():
                continue
            blobs.append((path, int(parts[3]), parts[2]))
        if paths is None:
            dockerfiles = [p for p, _, _ in blobs if os.path.basename(p) == "Dockerfile" and not SKIP_DIRS.search(p)]
            paths = sorted(dockerfiles, key=lambda p: (p.count("/"), p))
            limit = per_repo
        else:
            limit = len(paths)
        taken = 0
        for path in paths:
            if taken >= limit:
                break
            try:
                text = git(gitdir, "show", f"{commit}:{path}")
            except (subprocess.CalledProcessError, UnicodeDecodeError):
                if only:
                    notes.append(f"{repo} {path}: not readable at {commit}")
                continue
            lang, kind = classify(text)
            if only and (lang, kind) != only[path][1:]:
                notes.append(f"{repo} {path}: read as {lang}/{kind}, the index says {only[path][1]}/{only[path][2]}")
            taken += 1
            rows.append((repo, path, commit, lang, kind))
            d = os.path.dirname(path)
            prefix = d + "/" if d else ""
            wanted, n = [], 0
            for p, size, sha in blobs:
                if not p.startswith(prefix) or size > MAX_BLOB or n >= MAX_FILES:
                    continue
                if p in written:  # already written for another Dockerfile of the repository
                    continue
                written.add(p)
                wanted.append((p, sha))
                n += 1
            write_blobs(gitdir, wanted, dest_root)
    return rows, notes


def main():
    mirror, out = sys.argv[1], sys.argv[2]
    opt = lambda name, default: sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default
    per_repo = int(opt("--per-repo", 3))
    jobs = int(opt("--jobs", os.cpu_count() or 2))
    index = opt("--index", None)
    work = []  # (entry, only)
    if index:
        wanted = {}
        for line in list(open(index))[1:]:
            repo, path, commit, lang, kind = line.rstrip("\n").split("\t")
            wanted.setdefault(repo.replace("/", "+", 1), {})[path] = (commit, lang, kind)
        work = sorted(wanted.items())
    else:
        work = [(e, None) for e in sorted(os.listdir(mirror)) if "+" in e]
    rows, notes = [], []
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for r, n in pool.map(lambda w: collect_repo(mirror, out, w[0], per_repo, w[1]), work):
            rows += r
            notes += n
    rows.sort(key=lambda r: (r[0], r[1]))
    with open(os.path.join(out, "all.tsv"), "w") as f:
        f.write("repository\tpath\tcommit\tlanguage\tkind\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    kinds = {}
    for r in rows:
        kinds[(r[3], r[4])] = kinds.get((r[3], r[4]), 0) + 1
    for k in sorted(kinds):
        print(*k, kinds[k], sep="\t")
    for n in notes:
        print("note:", n, file=sys.stderr)
    if index and notes:
        sys.exit(1)


if __name__ == "__main__":
    main()
