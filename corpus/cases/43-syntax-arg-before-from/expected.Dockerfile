# one Dockerfile for every supported Python version
ARG PYTHON_VERSION=3.12
FROM python:${PYTHON_VERSION} AS dependencies

ARG APP_VERSION=dev

WORKDIR /app
RUN python3 -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM dependencies AS build
COPY . .

ENV APP_VERSION=$APP_VERSION

FROM python:${PYTHON_VERSION}-slim AS runtime
ARG APP_VERSION=dev
ENV APP_VERSION=$APP_VERSION
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
LABEL org.opencontainers.image.version=$APP_VERSION
EXPOSE 8080
CMD ["python", "-m", "aiohttp.web", "-H", "0.0.0.0", "-P", "8080", "api:init"]
