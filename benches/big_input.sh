#!/usr/bin/env bash
# Writes a big Dockerfile for the big-input measurements in BENCHMARKS.md:
# a Node app (FROM node:20, package.json first, npm ci, COPY . .) whose middle
# is short `RUN echo line-NNNNNNNNN` lines (24 bytes each) until the file is
# about BYTES long, then its CMD; package.json and server.js beside it, so the
# folder is a build context.
#   benches/big_input.sh BYTES DIR      # e.g. 1048576 /tmp/big-1m
set -euo pipefail
bytes=${1:?BYTES}
dir=${2:?DIR}
mkdir -p "$dir"
head='FROM node:20
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
'
tail='CMD ["node", "server.js"]
'
lines=$(( (bytes - ${#head} - ${#tail}) / 24 ))
{
  printf '%s' "$head"
  seq -f 'RUN echo line-%09.0f' 1 "$lines"
  printf '%s' "$tail"
} >"$dir/Dockerfile"
printf '{"name":"big","version":"1.0.0","main":"server.js"}\n' >"$dir/package.json"
printf '{"name":"big","version":"1.0.0","lockfileVersion":3,"packages":{}}\n' >"$dir/package-lock.json"
printf 'require("http").createServer((q, s) => s.end("ok")).listen(8080);\n' >"$dir/server.js"
