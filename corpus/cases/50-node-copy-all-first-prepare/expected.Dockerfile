FROM node:20 AS build

WORKDIR /app

# everything at once: any source change reinstalls every dependency
COPY . .
RUN --mount=type=cache,target=/root/.npm npm ci

RUN npm run build
RUN npm prune --omit=dev

# hadolint ignore=DL3006
FROM gcr.io/distroless/nodejs20-debian13 AS runtime
WORKDIR /app
COPY --from=build /app /app

EXPOSE 8080
CMD ["dist/main.js"]
