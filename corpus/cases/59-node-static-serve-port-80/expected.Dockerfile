FROM node:22-bookworm AS dependencies

WORKDIR /usr/src/app

COPY package.json yarn.lock ./
RUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install --frozen-lockfile

# hadolint ignore=SC2016
RUN printf '%s\n' \
    'server {' \
    '    listen 80;' \
    '    root /usr/share/nginx/site;' \
    '    absolute_redirect off;' \
    '    include /etc/nginx/mime.types;' \
    '    types {' \
    '        application/javascript mjs;' \
    '        application/manifest+json webmanifest;' \
    '        application/json map;' \
    '        font/ttf ttf;' \
    '        font/otf otf;' \
    '    }' \
    '    charset utf-8;' \
    '    charset_types text/css text/plain text/xml application/javascript application/json;' \
    '    location / {' \
    '        try_files $uri /index.html;' \
    '    }' \
    '}' \
    > /tmp/dfsplit-nginx.conf

FROM dependencies AS build

COPY . .
RUN yarn build

# serve the production build the way create-react-app suggests
RUN yarn global add serve@14
ENV NODE_ENV=production
CMD serve -s build -l 80

FROM nginx:stable-alpine AS runtime
ENV NODE_ENV=production
COPY --from=build /usr/src/app/build /usr/share/nginx/site
COPY --from=build /tmp/dfsplit-nginx.conf /etc/nginx/conf.d/default.conf
EXPOSE 80
