# csvq: a small CSV query tool
FROM node:22-bookworm AS dependencies

WORKDIR /opt/csvq
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM dependencies AS build

COPY bin ./bin
COPY lib ./lib

# hadolint ignore=DL3006
FROM gcr.io/distroless/nodejs22-debian13 AS runtime
WORKDIR /opt/csvq
COPY --from=build /opt/csvq /opt/csvq

# `docker run csvq 'select *' data.csv` replaces only the default arguments
ENTRYPOINT ["/nodejs/bin/node", "--enable-source-maps", "/opt/csvq/bin/csvq.js"]
CMD ["--help"]
