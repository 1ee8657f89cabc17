FROM golang:1.23-bookworm AS build
WORKDIR /go/src/ledger
COPY . .
ENV CGO_ENABLED=0
RUN --mount=type=cache,target=/root/.cache/go-build go build -tags netgo -trimpath -o /go/src/ledger/api ./cmd/api

# hadolint ignore=DL3006
FROM gcr.io/distroless/static-debian13 AS runtime
WORKDIR /go/src/ledger
COPY --from=build /go/src/ledger/api /go/src/ledger/api
EXPOSE 9000
CMD ["/go/src/ledger/api", "-port", "9000"]
