FROM node:20 AS dependencies

WORKDIR /app

COPY package*.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM dependencies AS build

COPY . .

# the database lives outside the image's app folder so it can be a volume
RUN mkdir -p /data
RUN mkdir -p /tmp/dfsplit-owned/1/app /tmp/dfsplit-owned/2/data && chown 1000:1000 /tmp/dfsplit-owned/1/app /tmp/dfsplit-owned/2/data

FROM node:20-slim AS runtime
WORKDIR /app
# the database lives outside the image's app folder so it can be a volume
RUN mkdir -p /data
COPY --from=build --chown=1000:1000 /app /app
COPY --from=build /tmp/dfsplit-owned/1/ /
COPY --from=build /tmp/dfsplit-owned/2/ /

EXPOSE 3000
USER node
CMD cp /app/db.json /data/db.json && npx json-server --watch /data/db.json --host 0.0.0.0 --port 3000
