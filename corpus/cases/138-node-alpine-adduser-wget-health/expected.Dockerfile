FROM node:20-alpine AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci

FROM dependencies AS build
COPY . .
RUN npm run build
RUN addgroup -g 1001 -S web && adduser -S web -u 1001
RUN npm prune --omit=dev

FROM node:20-alpine AS runtime
WORKDIR /app
RUN addgroup -g 1001 -S web && adduser -S web -u 1001
COPY --from=build /app /app
USER web
EXPOSE 4000
HEALTHCHECK --interval=30s CMD wget -q --spider http://localhost:4000/health || exit 1
CMD ["node", "dist/index.js"]
