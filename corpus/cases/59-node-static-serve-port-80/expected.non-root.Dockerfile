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
    '    types { application/javascript mjs; application/json map; application/manifest+json webmanifest;' \
    '        application/xml xml xsl; application/xslt+xml xslt; application/ld+json jsonld;' \
    '        application/geo+json geojson; application/x-subrip srt; application/dash+xml mpd;' \
    '        application/epub+zip epub; application/gzip gz; application/x-tar tar;' \
    '        text/markdown md markdown; text/csv csv; text/tab-separated-values tsv; text/yaml yaml yml;' \
    '        text/calendar ics; text/vtt vtt; text/cache-manifest appcache; image/bmp bmp;' \
    '        image/apng apng; font/ttf ttf; font/otf otf; audio/ogg oga; audio/x-flac flac;' \
    '        audio/mp4 m4a; audio/x-aac aac; audio/webm weba; video/ogg ogv; model/gltf-binary glb;' \
    '        model/gltf+json gltf; application/node cjs; application/toml toml; audio/ogg opus;' \
    '        audio/wave wav; image/heic heic; image/vnd.microsoft.icon ico; }' \
    '    charset utf-8;' \
    '    charset_types text/css text/plain text/xml text/markdown text/csv text/tab-separated-values text/yaml text/calendar text/vtt text/cache-manifest application/javascript application/json application/manifest+json;' \
    '    location ~ "\.html$" {' \
    '        rewrite "^(.*)\.html$" $1 permanent;' \
    '    }' \
    '    location ~ "/index$" {' \
    '        rewrite ^/index$ / permanent;' \
    '        rewrite "^(.+)/index$" $1 permanent;' \
    '    }' \
    '    location ~ "^/$|^(.*/)?\.?[^./]+/*$" {' \
    '        rewrite ^ /index.html break;' \
    '    }' \
    '    location / {' \
    '        try_files $uri $uri/ @index;' \
    '        autoindex on;' \
    '    }' \
    '    location @index {' \
    '        rewrite ^ /index.html break;' \
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
RUN chmod -R a+rX /usr/src/app/build

FROM nginx:stable-alpine AS runtime
COPY --from=build /usr/src/app/build /usr/share/nginx/site
COPY --from=build /tmp/dfsplit-nginx.conf /etc/nginx/conf.d/default.conf
EXPOSE 80
