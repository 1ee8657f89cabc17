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
    '    types { application/javascript mjs; application/json map; application/manifest+json webmanifest;' \
    '        application/xml xml xsl; application/xslt+xml xslt; application/ld+json jsonld;' \
    '        application/geo+json geojson; application/x-subrip srt; application/dash+xml mpd;' \
    '        application/epub+zip epub; application/gzip gz; application/x-tar tar;' \
    '        text/markdown md markdown; text/csv csv; text/tab-separated-values tsv; text/yaml yaml yml;' \
    '        text/calendar ics; text/vtt vtt; text/cache-manifest appcache; image/bmp bmp;' \
    '        image/apng apng; font/ttf ttf; font/otf otf; audio/ogg oga; audio/x-flac flac;' \
    '        audio/mp4 m4a; audio/x-aac aac; audio/webm weba; video/ogg ogv; model/gltf-binary glb;' \
    '        model/gltf+json gltf; application/octet-stream cjs toml opus heic avif; audio/wav wav; }' \
    '    charset utf-8;' \
    '    charset_types text/css text/plain text/xml text/markdown text/csv text/tab-separated-values text/yaml text/calendar text/vtt text/cache-manifest application/javascript application/json;' \
    '    location / {' \
    '        try_files $uri $uri/ $uri.html =404;' \
    '        autoindex on;' \
    '        add_header Cache-Control "max-age=3600" always;' \
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
RUN chmod -R a+rX /app/dist

FROM nginxinc/nginx-unprivileged:stable-alpine AS runtime
COPY --from=build /app/dist /usr/share/nginx/site
COPY --from=build /tmp/dfsplit-nginx.conf /etc/nginx/conf.d/default.conf

EXPOSE 8080
