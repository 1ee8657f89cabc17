FROM golang:1.22 AS dependencies

WORKDIR /app

COPY go.mod go.sum ./
RUN go mod download

FROM dependencies AS build

COPY . .

# static checks and unit tests (race detector needs cgo, which the golang image has)
RUN go vet ./... && \
    go test -race ./...

RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -o bin/ratelimiter ./cmd/ratelimiter

# hadolint ignore=DL3006
FROM gcr.io/distroless/static-debian13 AS runtime
WORKDIR /app
COPY --from=build /app/bin/ratelimiter /app/bin/ratelimiter

EXPOSE 9090
CMD ["./bin/ratelimiter"]
