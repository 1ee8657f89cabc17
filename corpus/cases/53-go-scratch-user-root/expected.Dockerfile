FROM golang:1.22 AS build

WORKDIR /src
COPY go.mod ./
COPY main.go ./
RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -trimpath -o /usr/local/bin/tick .

FROM scratch AS runtime
WORKDIR /src
COPY --from=build /usr/local/bin/tick /usr/local/bin/tick
# tick reads /proc and must keep running as root
USER 0
CMD ["tick"]
