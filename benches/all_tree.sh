#!/usr/bin/env bash
# `dfsplit rewrite --all` over a generated tree of N Dockerfiles (default
# 10,000), each in its own folder with its corpus case's files as the build
# context, on one core (taskset -c 0). See BENCHMARKS.md.
#   benches/all_tree.sh [N] [DFSPLIT_BINARY]
# Needs hyperfine (apt-get install hyperfine) and taskset (util-linux).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
bin=$(realpath "${2:-target/release/dfsplit}")
[ -x "$bin" ] || cargo build --release
tree=$(mktemp -d /tmp/dfsplit-all-tree.XXXXXX)
trap 'rm -rf "$tree"' EXIT
mapfile -t cases < <(ls -d corpus/cases/*/)
for ((i = 0; i < n; i++)); do
  case=${cases[i % ${#cases[@]}]}
  dir="$tree/$((i / 100))/app-$i"
  mkdir -p "$dir"
  cp -r "$case". "$dir/"
  # Only the input: the reviewed outputs and the case's notes are not part of it.
  rm -f "$dir"/expected*.Dockerfile "$dir"/explain*.txt "$dir"/case.toml
  printf 'LABEL bench.variant="%d"\n' "$i" >>"$dir/Dockerfile"
done
echo "tree: $n Dockerfiles under $tree ($(du -sh "$tree" | cut -f1))"
# --check reads, plans and compares every file; --format json also prints each report.
hyperfine -N --warmup 1 --runs 5 -i \
  "taskset -c 0 $bin rewrite --all $tree --check" \
  "taskset -c 0 $bin rewrite --all $tree --format json"
