FROM rust:1.85 AS build
WORKDIR /app
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry cargo build --release

# hadolint ignore=DL3006
FROM gcr.io/distroless/cc-debian13 AS runtime
WORKDIR /app
COPY --from=build /app/target/release/hello-web /app/target/release/hello-web
EXPOSE 7878
# compiles nothing at start: the release build above is fresh
CMD ["target/release/hello-web", "--port", "7878"]
