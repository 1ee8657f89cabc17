FROM golang:1.23 AS build

RUN useradd -m -u 10001 -s /usr/sbin/nologin app
RUN mkdir -p /tmp/dfsplit-dirs/1 && cp -a /home/app /tmp/dfsplit-dirs/1/
WORKDIR /home/app
COPY go.mod main.go ./
RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -o server .

# hadolint ignore=DL4006,SC2043
RUN --mount=type=bind,from=gcr.io/distroless/static-debian13,target=/tmp/dfsplit-base \
    set -eu; a=/tmp/dfsplit-accounts; mkdir -p "$a"; cp /tmp/dfsplit-base/etc/passwd /tmp/dfsplit-base/etc/group "$a/"; \
    for u in app; do grep "^$u:" /etc/passwd >> "$a/passwd"; g=$(id -g "$u"); cut -d: -f3 "$a/group" | grep -qx "$g" || grep "^[^:]*:[^:]*:$g:" /etc/group >> "$a/group"; done; \
    for f in passwd group; do d=$(cut -d: -f1 "$a/$f" | sort | uniq -d; cut -d: -f3 "$a/$f" | sort | uniq -d); if [ -n "$d" ]; then echo "dfsplit: /etc/$f would hold two accounts with the same name or id: $d" >&2; exit 1; fi; done; \
    chmod 644 "$a/passwd" "$a/group"

# hadolint ignore=DL3006
FROM gcr.io/distroless/static-debian13 AS runtime
WORKDIR /home/app
COPY --from=build --chown=0:0 /tmp/dfsplit-accounts/passwd /tmp/dfsplit-accounts/group /etc/
COPY --from=build /tmp/dfsplit-dirs/1/ /home/
COPY --from=build /home/app/server /home/app/server

EXPOSE 8080
CMD ["./server"]
