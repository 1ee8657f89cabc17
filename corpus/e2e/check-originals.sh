#!/usr/bin/env bash
# Build every corpus app's original (single-stage) Dockerfile and run its smoke check.
#
#   eval "$(../shared/e2e/docker-up)"      # engine; ../shared/e2e/standins for base images
#   corpus/e2e/check-originals.sh          # all apps
#   corpus/e2e/check-originals.sh go-embed-web node-ts-build   # some apps
#
# For each app: `$DOCKER build -t dfsplit-e2e/<app>:orig corpus/e2e/<app>`, then the
# smoke check from its e2e.toml, one line per app:
#   smoke = { http = "PORT/PATH", expect = "TEXT" }   run -d -p 127.0.0.1::PORT, curl until
#                                                     the body contains TEXT (60 s max)
#   smoke = { exec = "ARGS", expect = "TEXT" }        run --rm IMAGE ARGS (split on spaces;
#                                                     "" keeps the image's CMD); output
#                                                     (stdout+stderr) must contain TEXT
# An image with a HEALTHCHECK must also report "healthy" within 90 s of starting (http
# apps only). Prints PASS/FAIL per app and the image size; exits 1 if any app failed.
# Logs: $E2E_LOG_DIR (default /tmp/dfsplit-e2e-logs). SKIP_BUILD=1 reuses existing images.
set -uo pipefail

DOCKER=${DOCKER:-/usr/bin/docker}
export DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-1}
here=$(cd "$(dirname "$0")" && pwd)
logs=${E2E_LOG_DIR:-/tmp/dfsplit-e2e-logs}
mkdir -p "$logs"

if ! "$DOCKER" info >/dev/null 2>&1; then
  echo "check-originals: no Docker engine answers ($DOCKER); run ../shared/e2e/docker-up" >&2
  exit 2
fi

if [ $# -gt 0 ]; then apps=("$@"); else
  apps=()
  for f in "$here"/*/e2e.toml; do apps+=("$(basename "$(dirname "$f")")"); done
fi

# value of key K inside the `smoke = { ... }` line of e2e.toml (string values only)
smoke_field() {
  sed -n 's/^smoke *= *{\(.*\)}.*$/\1/p' "$1" | grep -o "$2 *= *\"[^\"]*\"" | sed 's/^[a-z]* *= *"\(.*\)"$/\1/'
}

fails=0
cid=""
cleanup() { [ -n "$cid" ] && "$DOCKER" rm -f "$cid" >/dev/null 2>&1; cid=""; }
trap cleanup EXIT

check_http() { # image port path expect -> 0 on pass; sets $why on failure
  local img=$1 port=$2 path=$3 expect=$4 hostport body="" health=""
  cid=$("$DOCKER" run -d -p "127.0.0.1::$port" "$img" 2>&1) || { why="docker run failed: $cid"; cid=""; return 1; }
  hostport=$("$DOCKER" port "$cid" "$port/tcp" | head -1)
  for _ in $(seq 1 60); do
    body=$(curl -fsS --max-time 2 "http://$hostport/$path" 2>/dev/null) && [[ "$body" == *"$expect"* ]] && break
    if [ "$("$DOCKER" inspect -f '{{.State.Running}}' "$cid" 2>/dev/null)" != true ]; then
      why="container exited: $("$DOCKER" logs "$cid" 2>&1 | tail -3 | tr '\n' ' ')"; cleanup; return 1
    fi
    sleep 1
  done
  if [[ "$body" != *"$expect"* ]]; then
    why="GET /$path never answered '$expect' (last body: '${body:0:80}')"; cleanup; return 1
  fi
  if [ -n "$("$DOCKER" inspect -f '{{if .State.Health}}yes{{end}}' "$cid")" ]; then
    for _ in $(seq 1 90); do
      health=$("$DOCKER" inspect -f '{{.State.Health.Status}}' "$cid")
      [ "$health" = healthy ] || [ "$health" = unhealthy ] && break
      sleep 1
    done
    if [ "$health" != healthy ]; then
      why="HEALTHCHECK status '$health': $("$DOCKER" inspect -f '{{range .State.Health.Log}}{{.Output}}{{end}}' "$cid" | tail -2 | tr '\n' ' ')"
      cleanup; return 1
    fi
    why="healthcheck healthy"
  fi
  cleanup
  return 0
}

check_exec() { # image args expect
  local img=$1 args=$2 expect=$3 out
  # shellcheck disable=SC2086 # ARGS are split on spaces on purpose
  out=$(timeout 120 "$DOCKER" run --rm "$img" $args 2>&1) || { why="exit status $?: ${out:0:120}"; return 1; }
  [[ "$out" == *"$expect"* ]] || { why="output lacks '$expect': ${out:0:120}"; return 1; }
}

for app in "${apps[@]}"; do
  dir=$here/$app toml=$here/$app/e2e.toml img=dfsplit-e2e/$app:orig why=""
  if [ ! -f "$toml" ]; then echo "FAIL $app: no e2e.toml"; fails=$((fails + 1)); continue; fi
  if [ "${SKIP_BUILD:-0}" != 1 ] || ! "$DOCKER" image inspect "$img" >/dev/null 2>&1; then
    start=$(date +%s)
    if ! "$DOCKER" build --progress=plain -t "$img" "$dir" >"$logs/$app.build.log" 2>&1; then
      echo "FAIL $app: build failed (see $logs/$app.build.log: $(grep -m1 -E 'ERROR|error:' "$logs/$app.build.log" | cut -c1-120))"
      fails=$((fails + 1)); continue
    fi
    secs=$(( $(date +%s) - start ))
  else secs=cached; fi
  size=$("$DOCKER" image inspect -f '{{.Size}}' "$img")
  expect=$(smoke_field "$toml" expect)
  if http=$(smoke_field "$toml" http) && [ -n "$http" ]; then
    check_http "$img" "${http%%/*}" "${http#*/}" "$expect"; rc=$?; kind="http $http"
  elif grep -q '^smoke *= *{.*exec *=' "$toml"; then
    check_exec "$img" "$(smoke_field "$toml" exec)" "$expect"; rc=$?; kind="exec '$(smoke_field "$toml" exec)'"
  else
    rc=1; why="e2e.toml has no smoke http/exec"; kind="?"
  fi
  if [ $rc = 0 ]; then
    printf 'PASS %-24s %-28s build %5ss  size %4d MB (%s bytes)%s\n' "$app" "$kind" "$secs" $((size / 1000000)) "$size" "${why:+  [$why]}"
  else
    printf 'FAIL %-24s %s: %s\n' "$app" "$kind" "$why"; fails=$((fails + 1))
  fi
done

echo "check-originals: $(( ${#apps[@]} - fails ))/${#apps[@]} passed"
[ $fails = 0 ]
