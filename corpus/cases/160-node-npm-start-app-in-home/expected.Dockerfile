FROM node:22 AS build

WORKDIR /srv
RUN useradd -m app

WORKDIR /home/app
COPY . .

FROM node:22-slim AS runtime
RUN useradd -m app
WORKDIR /home/app
COPY --from=build /home/app /home/app

USER app
CMD ["npm", "start"]
