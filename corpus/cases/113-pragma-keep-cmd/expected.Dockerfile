FROM node:20 AS dependencies

ENV NODE_ENV=production
WORKDIR /usr/src/app

COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM dependencies AS build

COPY . .

FROM node:20-slim AS runtime
ENV NODE_ENV=production
WORKDIR /usr/src/app
COPY --from=build /usr/src/app /usr/src/app

EXPOSE 3000
# Our process supervisor matches on this exact command line
# dfsplit: keep
CMD ["node", "server.js"]
