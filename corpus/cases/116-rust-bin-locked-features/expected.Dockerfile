FROM rust:1.85-bookworm AS build
WORKDIR /build
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN --mount=type=cache,target=/usr/local/cargo/registry cargo build --release --locked --bin notes-api --features "json metrics"
RUN useradd --uid 10001 --no-create-home notes
ENV RUST_LOG=info

FROM gcr.io/distroless/cc-debian13:nonroot AS runtime
ENV RUST_LOG=info
WORKDIR /build
COPY --from=build /build/target/release/notes-api /build/target/release/notes-api
USER 10001
EXPOSE 8080
ENTRYPOINT ["/build/target/release/notes-api"]
