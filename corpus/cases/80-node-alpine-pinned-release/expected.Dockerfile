FROM node:20-alpine3.19 AS dependencies

WORKDIR /app

COPY package*.json ./
RUN --mount=type=cache,target=/root/.npm npm ci

FROM dependencies AS build

COPY tsconfig.json ./
COPY src ./src

# compile TypeScript -> dist/
RUN npm run build

RUN npm prune --omit=dev

FROM node:20-alpine3.19 AS runtime
WORKDIR /app
COPY --from=build /app /app

EXPOSE 8080
CMD ["node", "dist/main.js"]
