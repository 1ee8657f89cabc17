FROM golang:1.23-alpine AS build

WORKDIR /app

COPY go.mod ./
COPY *.go ./
# templates and assets are compiled into the binary (go:embed)
COPY web/ ./web/

RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -o /dashboard

# hadolint ignore=DL3006
FROM gcr.io/distroless/static-debian13 AS runtime
WORKDIR /app
COPY --from=build /dashboard /dashboard

EXPOSE 8000
CMD ["/dashboard"]
