FROM node:22-bookworm AS dependencies

# pnpm via corepack, version pinned by "packageManager" in package.json
RUN corepack enable

WORKDIR /srv/app
COPY package.json pnpm-lock.yaml ./
RUN pnpm install --frozen-lockfile --prod

FROM dependencies AS build

COPY src ./src

FROM node:22-bookworm-slim AS runtime
WORKDIR /srv/app
COPY --from=build /srv/app /srv/app

USER node
EXPOSE 4000
CMD ["node", "src/index.js"]
