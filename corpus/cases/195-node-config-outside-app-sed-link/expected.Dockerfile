FROM node:20 AS dependencies
WORKDIR /app
COPY package.json /app/package.json
RUN --mount=type=cache,target=/root/.npm npm install

FROM dependencies AS build
COPY server.js /app/server.js
COPY package.json /etc/myapp/config.json
RUN sed -i 's/"cfg"/"prod"/' /etc/myapp/config.json && chmod 600 /etc/myapp/config.json
RUN ln -s /etc/myapp/config.json /etc/myapp/current.json

FROM node:20-slim AS runtime
WORKDIR /app
COPY --from=build /etc/myapp/config.json /etc/myapp/config.json
COPY --from=build /app /app
RUN ln -s /etc/myapp/config.json /etc/myapp/current.json
CMD ["node","server.js"]
