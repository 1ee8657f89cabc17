FROM node:20 AS dependencies

WORKDIR /usr/src/app

COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM dependencies AS build

COPY . .

FROM node:20-slim AS runtime
WORKDIR /usr/src/app
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends curl && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/src/app /usr/src/app

EXPOSE 3000

# orchestrator restarts the container when this fails
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -fsS http://localhost:3000/healthz || exit 1

CMD ["node", "index.js"]
