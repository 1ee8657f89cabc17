FROM rust:1.89 AS build

WORKDIR /usr/src/ticker

# Build the dependencies alone first, with an empty main, so that layer is
# cached until Cargo.toml or Cargo.lock change.
COPY Cargo.toml Cargo.lock ./
RUN --mount=type=cache,target=/usr/local/cargo/registry mkdir src \
    && echo "fn main() {}" > src/main.rs \
    && cargo build --release \
    && rm -rf src

COPY src ./src
RUN --mount=type=cache,target=/usr/local/cargo/registry touch src/main.rs && cargo build --release

# hadolint ignore=DL3006
FROM gcr.io/distroless/cc-debian13 AS runtime
WORKDIR /usr/src/ticker
COPY --from=build /usr/src/ticker/target/release/ticker /usr/src/ticker/target/release/ticker

STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/src/ticker/target/release/ticker"]
