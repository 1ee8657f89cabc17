# syntax=docker/dockerfile:1.7

FROM golang:1.23 AS dependencies

WORKDIR /src

# BuildKit cache mounts keep modules and the build cache across builds
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=bind,source=go.mod,target=go.mod \
    --mount=type=bind,source=go.sum,target=go.sum \
    go mod download -x

FROM dependencies AS build

RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    --mount=type=bind,target=. \
    CGO_ENABLED=0 go build -o /bin/metrics-agent ./cmd/agent

# hadolint ignore=DL3006
FROM gcr.io/distroless/static-debian13 AS runtime
WORKDIR /src
COPY --from=build /bin/metrics-agent /bin/metrics-agent

EXPOSE 9100
ENTRYPOINT ["/bin/metrics-agent"]
