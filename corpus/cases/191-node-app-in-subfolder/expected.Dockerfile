# Notes service: the Node app lives in app/, the repository root holds docs
# and the formatter's settings.
FROM node:20 AS build

WORKDIR /app

# The app folder's contents become /app (package.json included)
COPY app .
RUN --mount=type=cache,target=/root/.npm npm install
RUN npm prune --omit=dev

# hadolint ignore=DL3006
FROM gcr.io/distroless/nodejs20-debian13 AS runtime
WORKDIR /app
COPY --from=build /app /app

EXPOSE 8080
CMD ["index.js"]
