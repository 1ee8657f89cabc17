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
RUN mkdir -p /tmp/dfsplit-owned/1/app && chown 65532:65532 /tmp/dfsplit-owned/1/app

FROM gcr.io/distroless/nodejs20-debian13:nonroot AS runtime
# Run in production mode
ENV NODE_ENV=production
WORKDIR /usr/src/app
COPY --from=build --chown=65532:65532 /usr/src/app /usr/src/app
COPY --from=build /tmp/dfsplit-owned/1/ /usr/src/

EXPOSE 3000
CMD ["server.js"]
