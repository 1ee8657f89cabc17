FROM node:20 AS dependencies

WORKDIR /usr/src/app

COPY package*.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM dependencies AS build

COPY . .
RUN mkdir -p uploads
RUN mkdir -p /tmp/dfsplit-owned/1/app && chown 65532:65532 /tmp/dfsplit-owned/1/app

FROM gcr.io/distroless/nodejs20-debian13:nonroot AS runtime
WORKDIR /usr/src/app
COPY --from=build --chown=65532:65532 /usr/src/app /usr/src/app
COPY --from=build /tmp/dfsplit-owned/1/ /usr/src/

EXPOSE 8080
CMD ["index.js"]
