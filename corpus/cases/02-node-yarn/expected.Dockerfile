FROM node:20 AS dependencies

WORKDIR /app

# yarn classic ships with the official node images
COPY package.json yarn.lock ./
RUN yarn install --frozen-lockfile \
 && yarn cache clean

FROM dependencies AS build

COPY . .

# transpile src/ -> lib/ with babel
RUN yarn build

ENV PORT=8080

FROM node:20-slim AS runtime
ENV PORT=8080
WORKDIR /app
COPY --from=build /app /app
EXPOSE 8080
CMD ["yarn", "start"]
