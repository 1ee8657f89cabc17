FROM node:20-alpine AS dependencies

WORKDIR /app

COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci

# hadolint ignore=SC2016
RUN printf '%s\n' \
    'server {' \
    '    listen 8080;' \
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
    '        try_files $uri $uri/ $uri.html =404;' \
    '        autoindex on;' \
    '        add_header Cache-Control "max-age=3600";' \
    '    }' \
    '    error_page 404 /404.html;' \
    '}' \
    > /tmp/dfsplit-nginx.conf

FROM dependencies AS build

COPY . .
# Vite writes the static site into dist/
RUN npm run build

# tiny static file server for the built site
RUN npm install -g http-server@14
CMD ["http-server", "dist", "-p", "8080"]

FROM nginxinc/nginx-unprivileged:stable-alpine AS runtime
COPY --from=build /app/dist /usr/share/nginx/site
COPY --from=build /tmp/dfsplit-nginx.conf /etc/nginx/conf.d/default.conf

EXPOSE 8080
