FROM golang:1.23 AS build

WORKDIR /src
COPY go.mod main.go ./
RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -o /usr/local/bin/jobs .

# fixed ids, the primary group given by its number
RUN groupadd -g 10001 jobs \
 && useradd -u 10001 -g 10001 -M -d /var/lib/jobs -s /usr/sbin/nologin jobs
RUN mkdir -p /var/lib/jobs && chown 10001:10001 /var/lib/jobs
RUN mkdir -p /tmp/dfsplit-dirs/1 && cp -a /var/lib/jobs /tmp/dfsplit-dirs/1/

# hadolint ignore=DL4006,SC2043
RUN --mount=type=bind,from=gcr.io/distroless/static-debian13:nonroot,target=/tmp/dfsplit-base \
    set -eu; a=/tmp/dfsplit-accounts; mkdir -p "$a"; cp /tmp/dfsplit-base/etc/passwd /tmp/dfsplit-base/etc/group "$a/"; \
    for g in jobs; do grep "^$g:" /etc/group >> "$a/group"; done; \
    for u in jobs; do grep "^$u:" /etc/passwd >> "$a/passwd"; g=$(id -g "$u"); cut -d: -f3 "$a/group" | grep -qx "$g" || grep "^[^:]*:[^:]*:$g:" /etc/group >> "$a/group"; done; \
    for f in passwd group; do d=$(cut -d: -f1 "$a/$f" | sort | uniq -d; cut -d: -f3 "$a/$f" | sort | uniq -d); if [ -n "$d" ]; then echo "dfsplit: /etc/$f would hold two accounts with the same name or id: $d" >&2; exit 1; fi; done; \
    chmod 644 "$a/passwd" "$a/group"

FROM gcr.io/distroless/static-debian13:nonroot AS runtime
WORKDIR /src
COPY --from=build --chown=0:0 /tmp/dfsplit-accounts/passwd /tmp/dfsplit-accounts/group /etc/
COPY --from=build /tmp/dfsplit-dirs/1/ /var/lib/
COPY --from=build /usr/local/bin/jobs /usr/local/bin/jobs

USER jobs
EXPOSE 8080
ENTRYPOINT ["jobs"]
