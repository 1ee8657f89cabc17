FROM rust:1.85 AS build

WORKDIR /usr/src/word-count
COPY . .

# release build; the binary is target/release/word-count
RUN --mount=type=cache,target=/usr/local/cargo/registry cargo build --release

# hadolint ignore=DL3006
FROM gcr.io/distroless/cc-debian13 AS runtime
WORKDIR /usr/src/word-count
COPY --from=build /usr/src/word-count/target/release/word-count /usr/src/word-count/target/release/word-count

EXPOSE 3000
CMD ["./target/release/word-count", "--listen", "0.0.0.0:3000"]
