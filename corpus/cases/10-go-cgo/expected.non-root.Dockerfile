FROM golang:1.22-bookworm AS dependencies

# gcc for cgo (go-sqlite3 compiles SQLite from C sources)
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /go/src/notes

COPY go.mod go.sum ./
RUN go mod download

FROM dependencies AS build

COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=1 go build -o /go/bin/notes .

VOLUME /data
RUN mkdir -p /tmp/dfsplit-owned/1/data /tmp/dfsplit-owned/2/notes && chown 65532:65532 /tmp/dfsplit-owned/1/data /tmp/dfsplit-owned/2/notes

FROM gcr.io/distroless/base-debian13:nonroot AS runtime
WORKDIR /go/src/notes
COPY --from=build /go/bin/notes /go/bin/notes
COPY --from=build /tmp/dfsplit-owned/1/ /
COPY --from=build /tmp/dfsplit-owned/2/ /go/src/
VOLUME /data
EXPOSE 7070
CMD ["/go/bin/notes", "-db", "/data/notes.db"]
