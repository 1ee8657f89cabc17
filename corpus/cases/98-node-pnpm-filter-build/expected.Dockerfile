FROM node:20 AS dependencies
WORKDIR /app
RUN corepack enable && corepack prepare pnpm@9.12.0 --activate

COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages/config/package.json ./packages/config/
COPY packages/core/package.json ./packages/core/
RUN pnpm install --frozen-lockfile

FROM dependencies AS build

COPY packages ./packages
RUN pnpm --filter @acme/config build && pnpm --filter @acme/core run build
RUN pnpm prune --prod

# hadolint ignore=DL3006
FROM gcr.io/distroless/nodejs20-debian13 AS runtime
WORKDIR /app
COPY --from=build /app /app

EXPOSE 3000
CMD ["packages/core/dist/main.js"]
