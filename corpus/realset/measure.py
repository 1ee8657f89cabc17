#!/usr/bin/env python3
"""Measure dfsplit on a folder of real Dockerfiles (made by collect.py).

usage: measure.py REALSET_DIR [--dfsplit PATH] [--no-context] [--out FILE.json] [--tally BIN]

For every single-stage file in one of the five languages (kinds
language-image and generic-image in all.tsv) it runs `dfsplit rewrite
--format json` with the file's folder as the build context (or from stdin,
with no context, with --no-context), and prints the share rewritten per
language and, for the files left unchanged, per reason (the gate's rule).
Every rewrite is checked statically: it parses, a second rewrite changes
nothing, the final stage keeps the original's CMD, ENTRYPOINT and EXPOSE
lines (a start command the plan changed on purpose is counted apart), and
hadolint finds no error or warning code in it that it did not find in the
original. Files dfsplit cannot read (exit 2) are counted apart as broken.
"""
import collections, json, os, re, subprocess, sys, tempfile

LANGS = ["node", "go", "python", "java", "dotnet"]
KEEP = re.compile(r"^\s*(CMD|ENTRYPOINT|EXPOSE)\b(.*)$", re.I)
FROM = re.compile(r"^\s*FROM\s", re.I)
# Files left unchanged for these reasons are not "clean in-profile" (issue 13): outside
# every profile, already what a split gives, a dev-mode start, no start command at all.
EXCLUDED = [
    ("outside every profile", re.compile(r"^core/no-profile$")),
    ("no gain (already what a split gives)", re.compile(r"^core/no-gain$")),
    ("dev-mode start", re.compile(r"/gate-(run-dev|pm-dev|nodemon|uvicorn-reload|ng-serve|reload|watch)")),
    ("no CMD/ENTRYPOINT", re.compile(r"^core/no-entry$")),
]


def excluded(rule):
    return next((name for name, rx in EXCLUDED if rx.search(rule or "")), None)


def run(args, stdin=None, cwd=None):
    return subprocess.run(args, input=stdin, capture_output=True, cwd=cwd)


def final_stage_keeps(text):
    """CMD/ENTRYPOINT/EXPOSE instructions of the last stage, normalised."""
    stage = []
    for line in text.splitlines():
        if FROM.match(line):
            stage = []
        m = KEEP.match(line)
        if m:
            stage.append(m.group(1).upper() + " " + " ".join(m.group(2).split()))
    return stage


def hadolint_codes(path):
    out = run(["hadolint", "--no-fail", "--no-color", "--format", "json", path])
    try:
        return {f["code"] for f in json.loads(out.stdout or b"[]")
                if f.get("level") in ("error", "warning")}
    except ValueError:
        return set()


TALLY_RULE = "tally/prefer-multi-stage-build"


def tally_flags(tally, file):
    """Whether tally's prefer-multi-stage-build rule flags the file (registry checks off)."""
    out = run([tally, "lint", "--no-config", "--select", TALLY_RULE, "--format", "json",
               "--fail-level", "none", "--slow-checks", "off", "--context", os.path.dirname(file), file])
    try:
        doc = json.loads(out.stdout or b"{}")
    except ValueError:
        return None
    return any(v.get("rule") == TALLY_RULE for f in doc.get("files", []) for v in f.get("violations", []))


def main():
    root = sys.argv[1]
    dfsplit = sys.argv[sys.argv.index("--dfsplit") + 1] if "--dfsplit" in sys.argv else "dfsplit"
    no_context = "--no-context" in sys.argv
    out_json = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else None
    tally = sys.argv[sys.argv.index("--tally") + 1] if "--tally" in sys.argv else None
    rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(root, "all.tsv"))][1:]
    apart = collections.Counter()
    per_lang = collections.defaultdict(lambda: [0, 0])
    reasons = collections.Counter()
    reason_lang = collections.defaultdict(collections.Counter)
    examples = {}
    problems = []
    results = []
    for repo, path, commit, lang, kind in rows:
        if kind not in ("language-image", "generic-image") or lang not in LANGS:
            apart[kind if kind != "language-image" else "outside"] += 1
            continue
        file = os.path.join(root, "files", repo.replace("/", "+", 1), path)
        data = open(file, "rb").read()
        if no_context:
            res = run([dfsplit, "rewrite", "--format", "json", "-"], stdin=data)
        else:
            res = run([dfsplit, "rewrite", "--format", "json", file])
        if res.returncode != 0:
            apart["broken (dfsplit exit %d)" % res.returncode] += 1
            results.append({"repo": repo, "path": path, "lang": lang, "outcome": "broken",
                            "error": res.stderr.decode(errors="replace").strip()[:300]})
            continue
        doc = json.loads(res.stdout)
        plan = doc.get("plan", {})
        per_lang[lang][0] += 1
        entry = {"repo": repo, "path": path, "lang": lang}
        if tally:
            entry["tally"] = tally_flags(tally, file)
        if not doc.get("changed"):
            gate = plan.get("gate") or {}
            rule = gate.get("rule", "-")
            reasons[rule] += 1
            reason_lang[rule][lang] += 1
            examples.setdefault(rule, gate.get("reason", ""))
            entry.update(outcome="unchanged", rule=rule, reason=gate.get("reason", ""))
            results.append(entry)
            continue
        per_lang[lang][1] += 1
        entry["outcome"] = "rewritten"
        new = doc["dockerfile"]
        checks = []
        with tempfile.NamedTemporaryFile("w", suffix=".Dockerfile", delete=False,
                                         dir=os.path.dirname(file)) as f:
            f.write(new)
            tmp = f.name
        try:
            if run([dfsplit, "parse", tmp]).returncode != 0:
                checks.append("does not re-parse")
            again = run([dfsplit, "rewrite", "--format", "json"] +
                        (["-"] if no_context else ["--context", os.path.dirname(file), tmp]),
                        stdin=new.encode() if no_context else None)
            if again.returncode != 0 or json.loads(again.stdout).get("dockerfile") != new:
                checks.append("not idempotent")
            before, after = final_stage_keeps(data.decode(errors="replace")), final_stage_keeps(new)
            if before != after:
                # a start command the plan translated names its own rule
                # (core/entry-translation, core/static-site, a build-tool start, …)
                translated = sorted({d["rule"] for d in plan.get("decisions", [])
                                     if KEEP.match(d.get("text", ""))
                                     and d.get("rule") != "core/runtime-config"})
                checks.append("start command changed by plan (%s)" % ", ".join(translated) if translated
                              else "CMD/ENTRYPOINT/EXPOSE differ: %s -> %s" % (before, after))
            orig = os.path.join(os.path.dirname(tmp), ".measure-orig.Dockerfile")
            with open(orig, "wb") as f:
                f.write(data)
            added = hadolint_codes(tmp) - hadolint_codes(orig)
            os.unlink(orig)
            if added:
                checks.append("new hadolint findings: " + ",".join(sorted(added)))
        finally:
            os.unlink(tmp)
        entry["checks"] = checks
        if [c for c in checks if not c.startswith("start command changed by plan")]:
            problems.append((repo, path, checks))
        results.append(entry)

    mode = "Dockerfile alone (stdin, no context)" if no_context else "with the build context (the Dockerfile's folder)"
    print(f"## dfsplit on {root}: {mode}\n")
    print("| language | single-stage files | rewritten | share |")
    print("| --- | ---: | ---: | ---: |")
    tot = [0, 0]
    for lang in LANGS:
        n, r = per_lang[lang]
        tot[0] += n
        tot[1] += r
        print(f"| {lang} | {n} | {r} | {100 * r / n if n else 0:.0f}% |")
    print(f"| **all** | {tot[0]} | {tot[1]} | {100 * tot[1] / tot[0] if tot[0] else 0:.0f}% |")
    print("\nCounted apart: " + (", ".join(f"{k} {v}" for k, v in sorted(apart.items())) or "none"))
    print("\n| reason left unchanged (rule) | files | " + " | ".join(LANGS) + " | example |")
    print("| --- | ---: | " + " | ".join("---:" for _ in LANGS) + " | --- |")
    for rule, n in reasons.most_common():
        ex = examples[rule].replace("|", "\\|").replace("\n", " ")
        ex = ex[:140] + ("…" if len(ex) > 140 else "")
        print(f"| `{rule}` | {n} | " + " | ".join(str(reason_lang[rule][l] or "") for l in LANGS) + f" | {ex} |")
    print("\nShare among clean in-profile files (the exclusions are their own rows):\n")
    print("| | " + " | ".join(LANGS) + " | all |")
    print("| --- | " + " | ".join("---:" for _ in LANGS) + " | ---: |")
    print("| single-stage files | " + " | ".join(str(per_lang[l][0]) for l in LANGS) + f" | {tot[0]} |")
    clean = {l: per_lang[l][0] for l in LANGS}
    for name, _ in EXCLUDED:
        cnt = collections.Counter(e["lang"] for e in results
                                  if e.get("outcome") == "unchanged" and excluded(e.get("rule")) == name)
        for l in LANGS:
            clean[l] -= cnt[l]
        print(f"| − {name} | " + " | ".join(str(cnt[l]) for l in LANGS) + f" | {sum(cnt.values())} |")
    call = sum(clean.values())
    print("| clean in-profile | " + " | ".join(str(clean[l]) for l in LANGS) + f" | {call} |")
    print("| rewritten | " + " | ".join(
        f"{per_lang[l][1]} ({100 * per_lang[l][1] / clean[l]:.0f}%)" if clean[l] else str(per_lang[l][1])
        for l in LANGS) + f" | {tot[1]} ({100 * tot[1] / call if call else 0:.0f}%) |")
    print(f"\nStatic checks of the {tot[1]} rewrites (re-parses, idempotent, keeps CMD/ENTRYPOINT/EXPOSE, "
          f"no new hadolint error/warning code): {len(problems)} with a problem")
    for repo, path, checks in problems:
        print(f"- {repo} {path}: {'; '.join(checks)}")
    if tally:
        flagged = [e for e in results if e.get("tally")]
        rew = [e for e in flagged if e["outcome"] == "rewritten"]
        print(f"\ntally `{TALLY_RULE}`: flags {len(flagged)} of {tot[0]} single-stage files; "
              f"dfsplit rewrites {len(rew)} of them, and {tot[1] - len(rew)} files tally does not flag.")
        left = collections.Counter(e.get("rule", e["outcome"]) for e in flagged if e["outcome"] != "rewritten")
        if left:
            print("\n| flagged by tally, left unchanged by dfsplit (rule) | files |\n| --- | ---: |")
            for rule, n in sorted(left.items(), key=lambda kv: (-kv[1], kv[0])):
                print(f"| `{rule}` | {n} |")
        errs = sum(1 for e in results if "tally" in e and e["tally"] is None)
        if errs:
            print(f"\ntally gave no readable answer for {errs} files")
    translated = collections.Counter(c for e in results for c in e.get("checks", [])
                                     if c.startswith("start command changed by plan"))
    if translated:
        print(f"\n{sum(translated.values())} rewrites change the start command on purpose, each under its rule:")
        for c, n in translated.most_common():
            print(f"- {c}: {n}")
    if out_json:
        with open(out_json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
