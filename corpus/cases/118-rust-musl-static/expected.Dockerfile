FROM rust:1.85-bookworm AS dependencies

RUN apt-get update \
    && apt-get install -y --no-install-recommends musl-tools \
    && rm -rf /var/lib/apt/lists/*
RUN rustup target add x86_64-unknown-linux-musl

WORKDIR /src
COPY Cargo.toml Cargo.lock ./
RUN --mount=type=cache,target=/usr/local/cargo/registry cargo fetch

FROM dependencies AS build
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry cargo build --release --target x86_64-unknown-linux-musl

# hadolint ignore=DL3006
FROM gcr.io/distroless/static-debian13 AS runtime
WORKDIR /src
COPY --from=build /src/target/x86_64-unknown-linux-musl/release/pinger /src/target/x86_64-unknown-linux-musl/release/pinger

ENTRYPOINT ["/src/target/x86_64-unknown-linux-musl/release/pinger"]
CMD ["--count", "3"]
