FROM node:20-slim AS build
WORKDIR /app

COPY package.json package-lock.json ./
COPY prisma ./prisma
RUN --mount=type=cache,target=/root/.npm npm ci

COPY . .
# the client must be generated against the schema; the URL is only read at run time
ARG DATABASE_URL=postgresql://build:build@localhost:5432/build
RUN DATABASE_URL="${DATABASE_URL}" npx prisma generate && npm run build
RUN npm prune --omit=dev

FROM node:20-slim AS runtime
WORKDIR /app
COPY --from=build /app /app

EXPOSE 8080
CMD ["node", "dist/server.js"]
