# Orders API (Express) - production image
FROM node:20 AS dependencies

# Run in production mode
ENV NODE_ENV=production

WORKDIR /usr/src/app

# Install dependencies first so this layer is cached
# between source-only changes.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev \
    && npm cache clean --force

FROM dependencies AS build

# Bundle app source
COPY . .

# hadolint ignore=DL3006
FROM gcr.io/distroless/nodejs20-debian13 AS runtime
# Run in production mode
ENV NODE_ENV=production
WORKDIR /usr/src/app
COPY --from=build /usr/src/app /usr/src/app

EXPOSE 3000
CMD ["server.js"]
