FROM node:20-bookworm AS dependencies

WORKDIR /app

COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci

FROM dependencies AS build

COPY . .

# hadolint ignore=DL3006
FROM gcr.io/distroless/nodejs20-debian13 AS runtime
WORKDIR /app
COPY --from=build /app /app

# settings come from .env, loaded by dotenv before the app starts
EXPOSE 5000
CMD ["-r", "dotenv/config", "index.js"]
