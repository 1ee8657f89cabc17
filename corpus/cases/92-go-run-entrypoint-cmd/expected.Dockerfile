FROM golang:1.22-bookworm AS build
WORKDIR /work
COPY go.mod main.go ./
ENV CGO_ENABLED=0
RUN --mount=type=cache,target=/root/.cache/go-build go build -o /work/main main.go

# hadolint ignore=DL3006
FROM gcr.io/distroless/static-debian13 AS runtime
WORKDIR /work
COPY --from=build /work/main /work/main
ENTRYPOINT ["/work/main"]
CMD ["-name", "docker"]
EXPOSE 8080
