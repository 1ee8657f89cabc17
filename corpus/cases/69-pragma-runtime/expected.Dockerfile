FROM golang:1.23 AS dependencies

WORKDIR /src

# Cache modules before copying the sources
COPY go.mod go.sum ./
RUN go mod download

FROM dependencies AS build

# dfsplit: runtime
RUN mkdir -p /var/cache/inventory

COPY . .

ENV CGO_ENABLED=0 GOOS=linux
RUN --mount=type=cache,target=/root/.cache/go-build go build -trimpath -ldflags="-s -w" \
      -o /usr/local/bin/inventory ./cmd/inventory

FROM debian:12-slim AS runtime
WORKDIR /src
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && apt-get clean && rm -rf /var/lib/apt/lists/*
# dfsplit: runtime
RUN mkdir -p /var/cache/inventory
COPY --from=build /usr/local/bin/inventory /usr/local/bin/inventory

EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/inventory"]
