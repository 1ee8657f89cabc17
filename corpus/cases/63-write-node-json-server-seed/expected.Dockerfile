FROM node:20 AS dependencies

WORKDIR /app

COPY package*.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM dependencies AS build

COPY . .

# the database lives outside the image's app folder so it can be a volume
RUN mkdir -p /data

FROM node:20-slim AS runtime
WORKDIR /app
# the database lives outside the image's app folder so it can be a volume
RUN mkdir -p /data
COPY --from=build /app /app

EXPOSE 3000
CMD cp /app/db.json /data/db.json && npx json-server --watch /data/db.json --host 0.0.0.0 --port 3000
