from golang:1.22-bookworm as dependencies

# build the url shortener
workdir /go/src/shorty
copy go.mod go.sum ./
run go mod download

from dependencies as build
copy . .
run --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -o /usr/local/bin/shorty .

env SHORTY_ADDR=:8080

# hadolint ignore=DL3006
from gcr.io/distroless/static-debian13 as runtime
env SHORTY_ADDR=:8080
workdir /go/src/shorty
copy --from=build /usr/local/bin/shorty /usr/local/bin/shorty
expose 8080
cmd ["shorty"]
