FROM rust:1.85-bookworm AS build
WORKDIR /build
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN --mount=type=cache,target=/usr/local/cargo/registry cargo build --release --locked --bin notes-api --features "json metrics"
RUN useradd --uid 10001 --no-create-home notes
ENV RUST_LOG=info

# hadolint ignore=DL4006,SC2043
RUN --mount=type=bind,from=gcr.io/distroless/cc-debian13:nonroot,target=/tmp/dfsplit-base \
    set -eu; a=/tmp/dfsplit-accounts; mkdir -p "$a"; cp /tmp/dfsplit-base/etc/passwd /tmp/dfsplit-base/etc/group "$a/"; \
    for u in notes; do grep "^$u:" /etc/passwd >> "$a/passwd"; g=$(id -g "$u"); cut -d: -f3 "$a/group" | grep -qx "$g" || grep "^[^:]*:[^:]*:$g:" /etc/group >> "$a/group"; done; \
    for f in passwd group; do d=$(cut -d: -f1 "$a/$f" | sort | uniq -d; cut -d: -f3 "$a/$f" | sort | uniq -d); if [ -n "$d" ]; then echo "dfsplit: /etc/$f would hold two accounts with the same name or id: $d" >&2; exit 1; fi; done; \
    chmod 644 "$a/passwd" "$a/group"

FROM gcr.io/distroless/cc-debian13:nonroot AS runtime
ENV RUST_LOG=info
WORKDIR /build
COPY --from=build --chown=0:0 /tmp/dfsplit-accounts/passwd /tmp/dfsplit-accounts/group /etc/
COPY --from=build /build/target/release/notes-api /build/target/release/notes-api
USER notes
EXPOSE 8080
ENTRYPOINT ["/build/target/release/notes-api"]
