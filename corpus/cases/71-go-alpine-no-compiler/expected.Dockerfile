FROM golang:1.22-alpine AS dependencies

WORKDIR /build
COPY go.mod ./
RUN go mod download

FROM dependencies AS build
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build apk add --no-cache git && go build -o /usr/local/bin/tally .

# hadolint ignore=DL3006
FROM gcr.io/distroless/static-debian13 AS runtime
WORKDIR /build
COPY --from=build /usr/local/bin/tally /usr/local/bin/tally

EXPOSE 9000
ENTRYPOINT ["/usr/local/bin/tally"]
