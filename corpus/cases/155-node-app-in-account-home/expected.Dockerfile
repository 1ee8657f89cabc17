FROM node:22 AS build

# the account owns its home; the app lives there and writes beside itself
RUN useradd --create-home --shell /bin/bash app
RUN mkdir -p /tmp/dfsplit-dirs/1 && cp -a /home/app /tmp/dfsplit-dirs/1/

WORKDIR /home/app
COPY package.json ./
COPY index.js ./

# hadolint ignore=DL4006,SC2043
RUN --mount=type=bind,from=gcr.io/distroless/nodejs22-debian13:nonroot,target=/tmp/dfsplit-base \
    set -eu; a=/tmp/dfsplit-accounts; mkdir -p "$a"; cp /tmp/dfsplit-base/etc/passwd /tmp/dfsplit-base/etc/group "$a/"; \
    for u in app; do grep "^$u:" /etc/passwd >> "$a/passwd"; g=$(id -g "$u"); cut -d: -f3 "$a/group" | grep -qx "$g" || grep "^[^:]*:[^:]*:$g:" /etc/group >> "$a/group"; done; \
    for f in passwd group; do d=$(cut -d: -f1 "$a/$f" | sort | uniq -d; cut -d: -f3 "$a/$f" | sort | uniq -d); if [ -n "$d" ]; then echo "dfsplit: /etc/$f would hold two accounts with the same name or id: $d" >&2; exit 1; fi; done; \
    chmod 644 "$a/passwd" "$a/group"

FROM gcr.io/distroless/nodejs22-debian13:nonroot AS runtime
WORKDIR /home/app
COPY --from=build --chown=0:0 /tmp/dfsplit-accounts/passwd /tmp/dfsplit-accounts/group /etc/
COPY --from=build /tmp/dfsplit-dirs/1/ /home/
COPY --from=build /home/app /home/app

USER app
EXPOSE 3000
CMD ["index.js"]
