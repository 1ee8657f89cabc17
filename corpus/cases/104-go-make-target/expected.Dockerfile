FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build make build

# hadolint ignore=DL3006
FROM gcr.io/distroless/static-debian13 AS runtime
WORKDIR /src
COPY --from=build /src/bin/server /src/bin/server
EXPOSE 8080
CMD ["/src/bin/server"]
