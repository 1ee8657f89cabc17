# syntax=docker/dockerfile:1
# check=skip=JSONArgsRecommended
ARG BASE=node:20-bookworm-slim
ARG VERSION
FROM --platform=$BUILDPLATFORM ${BASE} AS deps
ARG NPM_TOKEN a=b
COPY --from=builder --chown=node:node --link /app/dist ./dist
ADD --checksum=sha256:abc --keep-git-dir=true https://example.com/x.tar.gz /tmp/
COPY --parents --exclude=*.md ./src/ /app/
RUN --mount=type=cache,target=/root/.npm --network=none --security=insecure npm ci
LABEL org.opencontainers.image.version="${VERSION:-dev}" maintainer="me <me@x>"
USER node:node
WORKDIR /app/$VERSION
VOLUME ["/data", "/logs"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://localhost/ || exit 1
HEALTHCHECK NONE
ONBUILD COPY . /app
MAINTAINER someone
EXPOSE 80/tcp 443
