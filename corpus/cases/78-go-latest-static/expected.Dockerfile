FROM golang:latest AS dependencies

WORKDIR /src
COPY go.mod ./
RUN go mod download

FROM dependencies AS build
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -o /bin/shortener ./cmd/shortener

# hadolint ignore=DL3006
FROM gcr.io/distroless/static-debian13 AS runtime
WORKDIR /src
COPY --from=build /bin/shortener /bin/shortener

EXPOSE 8080
ENTRYPOINT ["/bin/shortener"]
