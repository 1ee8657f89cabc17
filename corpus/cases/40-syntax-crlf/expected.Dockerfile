# Written on Windows: this file has CRLF line endings
FROM node:20 AS dependencies

WORKDIR /home/node/app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev \
  && npm cache clean --force

FROM dependencies AS build

COPY . .

FROM node:20-slim AS runtime
WORKDIR /home/node/app
COPY --from=build /home/node/app /home/node/app

USER node
EXPOSE 3000
CMD ["node", "app.js"]
