FROM node:20 AS dependencies

# Create app directory
WORKDIR /usr/src/app

# Install app dependencies.
# The wildcard picks up package-lock.json too, when there is one.
COPY package*.json ./

RUN --mount=type=cache,target=/root/.npm npm install
# For production builds use instead:
# RUN npm ci --omit=dev

FROM dependencies AS build

# Bundle app source
COPY . .
RUN npm prune --omit=dev

# hadolint ignore=DL3006
FROM gcr.io/distroless/nodejs20-debian13 AS runtime
WORKDIR /usr/src/app
COPY --from=build /usr/src/app /usr/src/app

EXPOSE 8080
CMD ["server.js"]
