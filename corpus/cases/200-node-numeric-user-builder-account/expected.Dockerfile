FROM node:20 AS dependencies

WORKDIR /home/node/app
COPY package*.json ./
RUN --mount=type=cache,target=/root/.npm npm ci

FROM dependencies AS build

COPY . .

FROM node:20-slim AS runtime
WORKDIR /home/node/app
COPY --from=build /home/node/app /home/node/app

# the image's own node account, by number (as a Kubernetes runAsUser would say it)
USER 1000
EXPOSE 3000
CMD ["node", "server.js"]
