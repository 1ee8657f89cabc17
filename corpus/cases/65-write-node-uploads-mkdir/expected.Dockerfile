FROM node:20 AS dependencies

WORKDIR /usr/src/app

COPY package*.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM dependencies AS build

COPY . .
RUN mkdir -p uploads

# hadolint ignore=DL3006
FROM gcr.io/distroless/nodejs20-debian13 AS runtime
WORKDIR /usr/src/app
COPY --from=build /usr/src/app /usr/src/app

EXPOSE 8080
CMD ["index.js"]
