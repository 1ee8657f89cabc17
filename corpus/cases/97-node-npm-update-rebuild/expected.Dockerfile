FROM node:20 AS build
WORKDIR /usr/src/app

COPY package*.json ./
RUN npm set fetch-retry-mintimeout 20000 && npm set fetch-retry-maxtimeout 120000
RUN npm config set update-notifier false
RUN --mount=type=cache,target=/root/.npm npm update && npm ci && npm rebuild bcrypt

COPY . .
RUN export NODE_OPTIONS=--max-old-space-size=2048 && npm run build
RUN npm prune --omit=dev

# hadolint ignore=DL3006
FROM gcr.io/distroless/nodejs20-debian13 AS runtime
WORKDIR /usr/src/app
COPY --from=build /usr/src/app /usr/src/app

EXPOSE 5000
CMD ["build/server.js"]
