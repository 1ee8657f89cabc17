FROM rust:1.85-trixie AS build

WORKDIR /srv/guestbook
COPY Cargo.toml Cargo.lock ./
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry cargo build --release --locked \
    && mkdir -p data

ENV DATABASE_PATH=data/guestbook.db

# hadolint ignore=DL3006
FROM gcr.io/distroless/cc-debian13 AS runtime
ENV DATABASE_PATH=data/guestbook.db
WORKDIR /srv/guestbook
COPY --from=build /srv/guestbook/target/release/guestbook /srv/guestbook/target/release/guestbook
COPY --from=build /srv/guestbook/README.md /srv/guestbook/README.md
COPY --from=build /srv/guestbook/migrations /srv/guestbook/migrations
COPY --from=build /srv/guestbook/static /srv/guestbook/static
COPY --from=build /srv/guestbook/templates /srv/guestbook/templates
COPY --from=build /srv/guestbook/data /srv/guestbook/data
EXPOSE 8080
CMD ["./target/release/guestbook"]
