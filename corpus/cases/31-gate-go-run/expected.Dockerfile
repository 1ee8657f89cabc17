FROM golang:1.23 AS dependencies

WORKDIR /app
COPY go.mod ./
RUN go mod download

FROM dependencies AS build
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build go build -o /app/playground .

# hadolint ignore=DL3006
FROM gcr.io/distroless/base-debian13 AS runtime
WORKDIR /app
COPY --from=build /app/playground /app/playground

EXPOSE 8080
# compiles and starts on every container start
CMD ["/app/playground"]
