FROM rust:1.85 AS build

WORKDIR /usr/src/word-count
COPY . .

# release build; the binary is target/release/word-count
RUN --mount=type=cache,target=/usr/local/cargo/registry cargo build --release
RUN mkdir -p /tmp/dfsplit-owned/1/word-count && chown 65532:65532 /tmp/dfsplit-owned/1/word-count

FROM gcr.io/distroless/cc-debian13:nonroot AS runtime
WORKDIR /usr/src/word-count
COPY --from=build --chown=65532:65532 /usr/src/word-count/target/release/word-count /usr/src/word-count/target/release/word-count
COPY --from=build /tmp/dfsplit-owned/1/ /usr/src/

EXPOSE 3000
CMD ["./target/release/word-count", "--listen", "0.0.0.0:3000"]
