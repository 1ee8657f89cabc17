FROM node:22 AS dependencies
WORKDIR /srv/app

COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci

FROM dependencies AS build

COPY . .
RUN npx prisma generate

FROM node:22-slim AS runtime
WORKDIR /srv/app
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends openssl && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY --from=build /srv/app /srv/app

EXPOSE 3000
ENTRYPOINT ["./docker-entrypoint.sh"]
CMD ["node", "index.js"]
