FROM node:22 AS dependencies

WORKDIR /srv/queue
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci && npm install -g pm2@5.4.3

FROM dependencies AS build
COPY . .
RUN npm run build
RUN npm prune --omit=dev

FROM node:22-slim AS runtime
WORKDIR /srv/queue
RUN npm install -g pm2@5.4.3
COPY --from=build /srv/queue /srv/queue

EXPOSE 8080
# pm2-runtime keeps the worker in the foreground and restarts it on a crash
CMD ["pm2-runtime", "dist/worker.js", "--name", "queue"]
