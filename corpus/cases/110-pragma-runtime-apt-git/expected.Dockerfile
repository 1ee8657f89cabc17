# Docs site API: it runs `git` at run time, which dfsplit cannot see
FROM node:20 AS dependencies

WORKDIR /usr/src/app

# git is needed by the running app, not only by the build
# dfsplit: runtime
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/*

COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM dependencies AS build

COPY . .

FROM node:20-slim AS runtime
WORKDIR /usr/src/app
# git is needed by the running app, not only by the build
# dfsplit: runtime
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/src/app /usr/src/app

EXPOSE 3000
CMD ["node", "server.js"]
