FROM rust:1.85-trixie AS build

WORKDIR /srv/guestbook
COPY Cargo.toml Cargo.lock ./
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry cargo build --release --locked \
    && mkdir -p data

ENV DATABASE_PATH=data/guestbook.db
RUN mkdir -p /tmp/dfsplit-owned/1/guestbook && chown 65532:65532 /tmp/dfsplit-owned/1/guestbook

FROM gcr.io/distroless/cc-debian13:nonroot AS runtime
ENV DATABASE_PATH=data/guestbook.db
WORKDIR /srv/guestbook
COPY --from=build --chown=65532:65532 /srv/guestbook/target/release/guestbook /srv/guestbook/target/release/guestbook
COPY --from=build --chown=65532:65532 /srv/guestbook/README.md /srv/guestbook/README.md
COPY --from=build --chown=65532:65532 /srv/guestbook/migrations /srv/guestbook/migrations
COPY --from=build --chown=65532:65532 /srv/guestbook/static /srv/guestbook/static
COPY --from=build --chown=65532:65532 /srv/guestbook/templates /srv/guestbook/templates
COPY --from=build --chown=65532:65532 /srv/guestbook/data /srv/guestbook/data
COPY --from=build /tmp/dfsplit-owned/1/ /srv/
EXPOSE 8080
CMD ["./target/release/guestbook"]
