FROM node:22-bookworm AS dependencies
RUN apt-get update && apt-get install -y --no-install-recommends dumb-init \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /home/node/app
COPY --chown=node:node package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM dependencies AS build
COPY --chown=node:node . .

FROM node:22-bookworm-slim AS runtime
WORKDIR /home/node/app
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends dumb-init && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY --from=build /home/node/app /home/node/app

USER node
EXPOSE 8080
ENTRYPOINT ["dumb-init", "--"]
CMD ["node", "src/index.js"]
