FROM node:22 AS dependencies

WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci

FROM dependencies AS build
COPY . .
RUN npm run build
RUN npm prune --omit=dev

FROM node:22-slim AS runtime
WORKDIR /app
COPY --from=build /app /app

# PORT is set by the platform (Cloud Run, Heroku) when the container starts
CMD ["npx", "serve", "-s", "dist"]
