FROM node:20 AS dependencies

WORKDIR /app

COPY package*.json ./
RUN --mount=type=cache,target=/root/.npm npm ci

FROM dependencies AS build

COPY tsconfig.json ./
COPY src ./src

# compile TypeScript -> dist/
RUN npm run build

# drop typescript & friends before shipping
RUN npm prune --omit=dev

# hadolint ignore=DL3006
FROM gcr.io/distroless/nodejs20-debian13 AS runtime
WORKDIR /app
COPY --from=build /app /app

EXPOSE 8080
CMD ["dist/main.js"]
