FROM node:20 AS dependencies

ENV NODE_ENV=production
WORKDIR /app

COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM dependencies AS build

COPY . .
RUN chmod +x docker-entrypoint.sh

FROM node:20-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app

# runs the database migrations, then execs the CMD
ENTRYPOINT ["./docker-entrypoint.sh"]
CMD ["node", "server.js"]
