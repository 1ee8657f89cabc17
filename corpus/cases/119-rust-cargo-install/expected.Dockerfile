FROM rust:1.89-slim-trixie AS build
WORKDIR /usr/src/shorty
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry cargo install --path . --locked
ENV PORT=8080

# hadolint ignore=DL3006
FROM gcr.io/distroless/cc-debian13 AS runtime
ENV PORT=8080
WORKDIR /usr/src/shorty
COPY --from=build /usr/local/cargo/bin/shorty /usr/local/bin/shorty
EXPOSE 8080
CMD ["shorty"]
