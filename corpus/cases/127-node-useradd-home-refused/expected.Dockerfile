FROM node:22 AS build

WORKDIR /app
COPY package.json ./
COPY server.js ./

# the app keeps its notes in its home directory
RUN useradd --create-home notes

FROM node:22-slim AS runtime
WORKDIR /app
# the app keeps its notes in its home directory
RUN useradd --create-home notes
COPY --from=build /app /app
USER notes

EXPOSE 3000
CMD ["node", "server.js"]
