FROM rust:1.85-bookworm AS build

RUN apt-get update && apt-get install -y --no-install-recommends \
        pkg-config \
        libssl-dev \
        libpq5 \
        libpq-dev \
        ca-certificates \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/feeds
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN --mount=type=cache,target=/usr/local/cargo/registry cargo build --release --locked

FROM debian:bookworm-slim AS runtime
WORKDIR /opt/feeds
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends libssl3 libpq5 ca-certificates && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/feeds/target/release/feeds /opt/feeds/target/release/feeds

CMD ["/opt/feeds/target/release/feeds"]
