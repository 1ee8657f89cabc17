# Price alerts: a small Node HTTP service, whose team runs Debian slim images
FROM node:20 AS dependencies

WORKDIR /srv/alerts
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM dependencies AS build

COPY server.js ./

FROM node:20-bookworm-slim AS runtime
WORKDIR /srv/alerts
COPY --from=build /srv/alerts /srv/alerts
EXPOSE 3000
CMD ["node", "server.js"]
