FROM rust:1.88 AS build
WORKDIR /app
COPY . .
# only the server crate of the workspace
RUN --mount=type=cache,target=/usr/local/cargo/registry cargo build --release --locked -p inventory-server

# hadolint ignore=DL3006
FROM gcr.io/distroless/cc-debian13 AS runtime
WORKDIR /app
COPY --from=build /app/target/release/inventory-server /app/target/release/inventory-server
EXPOSE 8000
CMD ["/app/target/release/inventory-server"]
