FROM node AS dependencies
WORKDIR /usr/src/app
COPY package*.json ./
RUN --mount=type=cache,target=/root/.npm npm install --omit=dev

FROM dependencies AS build
COPY . .

FROM node:slim AS runtime
WORKDIR /usr/src/app
COPY --from=build /usr/src/app /usr/src/app
EXPOSE 4000
CMD ["npm", "start"]
