FROM golang:1.23-bookworm AS dependencies

# TLS roots for outgoing webhooks, zoneinfo for the schedule
RUN apt-get update && apt-get install -y --no-install-recommends \
        ca-certificates \
        tzdata \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build
COPY go.* ./
RUN go mod download

FROM dependencies AS build
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -ldflags="-s -w" -o /webhook-relay .

ENV TZ=Europe/Berlin

FROM scratch AS runtime
ENV TZ=Europe/Berlin
WORKDIR /build
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo
COPY --from=build /webhook-relay /webhook-relay
USER 65534
ENTRYPOINT ["/webhook-relay"]
