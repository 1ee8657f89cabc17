FROM golang:1.22-alpine AS build

RUN apk add --no-cache git

# unprivileged account for the service
RUN addgroup -S -g 10001 app \
 && adduser -S -D -H -u 10001 -G app app

WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -o /usr/local/bin/audit-log ./

RUN mkdir -p /var/lib/audit && chown app:app /var/lib/audit
RUN mkdir -p /tmp/dfsplit-dirs/1 && cp -a /var/lib/audit /tmp/dfsplit-dirs/1/

FROM gcr.io/distroless/static-debian13:nonroot AS runtime
WORKDIR /src
COPY --from=build /tmp/dfsplit-dirs/1/ /var/lib/
COPY --from=build /usr/local/bin/audit-log /usr/local/bin/audit-log
USER 10001:10001

EXPOSE 7000
CMD ["audit-log", "-dir", "/var/lib/audit"]
