FROM golang:1.23 AS build

WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -o /usr/local/bin/clock ./cmd/server

FROM scratch AS runtime
WORKDIR /src
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo
COPY --from=build /usr/local/bin/clock /usr/local/bin/clock

ENTRYPOINT ["/usr/local/bin/clock"]
