ARG NODE_VERSION=22.13.1

FROM node:${NODE_VERSION} AS dependencies

WORKDIR /srv/board
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM dependencies AS build
COPY . .

FROM node:${NODE_VERSION}-slim AS runtime
WORKDIR /srv/board
COPY --from=build /srv/board /srv/board

EXPOSE 4000
CMD ["node", "index.js"]
