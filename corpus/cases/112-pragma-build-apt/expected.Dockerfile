FROM node:20 AS dependencies

WORKDIR /usr/src/app

# ImageMagick only shrinks the images at build time
# dfsplit: build
RUN apt-get update \
    && apt-get install -y --no-install-recommends imagemagick \
    && rm -rf /var/lib/apt/lists/*

COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM dependencies AS build

COPY . .
RUN mkdir -p public && echo ok > public/health.txt

# dfsplit: build
EXPOSE 3000

# hadolint ignore=DL3006
FROM gcr.io/distroless/nodejs20-debian13 AS runtime
WORKDIR /usr/src/app
COPY --from=build /usr/src/app /usr/src/app
CMD ["server.js"]
