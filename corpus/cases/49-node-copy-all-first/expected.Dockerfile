FROM node:20 AS dependencies

WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci

FROM dependencies AS build

# everything at once: any source change reinstalls every dependency
COPY . .

RUN npm run build
RUN npm prune --omit=dev

# hadolint ignore=DL3006
FROM gcr.io/distroless/nodejs20-debian13 AS runtime
WORKDIR /app
COPY --from=build /app /app

EXPOSE 8080
CMD ["dist/main.js"]
