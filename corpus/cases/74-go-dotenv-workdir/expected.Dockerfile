FROM golang:1.23 AS dependencies

WORKDIR /app
COPY go.mod go.sum ./
RUN go mod download

FROM dependencies AS build
COPY . .
COPY .env.production .env
RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -o server ./cmd/server

# hadolint ignore=DL3006
FROM gcr.io/distroless/static-debian13 AS runtime
WORKDIR /app
COPY --from=build /app /app

EXPOSE 8080
CMD ["./server"]
