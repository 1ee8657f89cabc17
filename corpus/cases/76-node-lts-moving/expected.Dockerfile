# Ticket board API, always on the current LTS line
FROM node:lts AS dependencies

WORKDIR /srv/board

COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM dependencies AS build

COPY . .

FROM node:lts-slim AS runtime
WORKDIR /srv/board
COPY --from=build /srv/board /srv/board

EXPOSE 4000
CMD ["node", "index.js"]
