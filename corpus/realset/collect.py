#!/usr/bin/env python3
"""Collect real Dockerfiles from fetched repository snapshots into a folder
outside the project, with the build context beside each (the files under the
Dockerfile's folder, small files only), and write an index.

usage: collect.py MIRROR_DIR OUT_DIR [--per-repo N]
  MIRROR_DIR  folder of <owner>+<name>/repo git directories (the `fetch` tool's)
  OUT_DIR     gets files/<owner>+<name>/<path>/... and all.tsv

Nothing here builds or runs the fetched code: it reads blobs with git.
"""
import os, re, subprocess, sys

MAX_BLOB = 512 * 1024
MAX_FILES = 4000

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


def main():
    mirror, out = sys.argv[1], sys.argv[2]
    per_repo = int(sys.argv[sys.argv.index("--per-repo") + 1]) if "--per-repo" in sys.argv else 3
    rows = []
    for entry in sorted(os.listdir(mirror)):
        gitdir = os.path.join(mirror, entry, "repo")
        if os.path.isdir(os.path.join(gitdir, ".git")):
            gitdir = os.path.join(gitdir, ".git")
        if "+" not in entry or not os.path.isdir(gitdir):
            continue
        repo = entry.replace("+", "/", 1)
        try:
            commit = git(gitdir, "rev-parse", "HEAD").strip()
            listing = git(gitdir, "ls-tree", "-r", "-l", "HEAD")
        except subprocess.CalledProcessError:
            continue
        blobs = []
        for line in listing.splitlines():
            meta, path = line.split("\t", 1)
            parts = meta.split()
            if parts[1] != "blob" or not parts[3].isdigit():
                continue
            blobs.append((path, int(parts[3]), parts[2]))
        dockerfiles = [p for p, _, _ in blobs if os.path.basename(p) == "Dockerfile"
                       and not re.search(r"(^|/)(node_modules|vendor|third_party|\.devcontainer)/", p)]
        taken = 0
        for path in sorted(dockerfiles, key=lambda p: (p.count("/"), p)):
            if taken >= per_repo:
                break
            try:
                text = git(gitdir, "show", f"HEAD:{path}")
            except (subprocess.CalledProcessError, UnicodeDecodeError):
                continue
            nfrom = len(FROM_RE.findall(text))
            lang, how = language(text)
            kind = "multi-stage" if nfrom > 1 else ("no-from" if nfrom == 0 else how)
            taken += 1
            rows.append((repo, path, commit, lang or "-", kind))
            d = os.path.dirname(path)
            prefix = d + "/" if d else ""
            dest_root = os.path.join(out, "files", entry)
            n = 0
            for p, size, sha in blobs:
                if not p.startswith(prefix) or size > MAX_BLOB or n >= MAX_FILES:
                    continue
                dest = os.path.join(dest_root, p)
                if os.path.exists(dest):
                    continue
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                data = subprocess.run(["git", "--git-dir", gitdir, "cat-file", "blob", sha],
                                      capture_output=True, check=True).stdout
                with open(dest, "wb") as f:
                    f.write(data)
                n += 1
    with open(os.path.join(out, "all.tsv"), "w") as f:
        f.write("repository\tpath\tcommit\tlanguage\tkind\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    kinds = {}
    for r in rows:
        kinds[(r[3], r[4])] = kinds.get((r[3], r[4]), 0) + 1
    for k in sorted(kinds):
        print(*k, kinds[k], sep="\t")


if __name__ == "__main__":
    main()
