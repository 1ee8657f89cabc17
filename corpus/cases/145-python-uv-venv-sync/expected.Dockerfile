FROM python:3.12 AS dependencies

COPY --from=ghcr.io/astral-sh/uv:0.8.4 /uv /usr/local/bin/uv
WORKDIR /app

COPY pyproject.toml uv.lock ./
# The project environment made first, then filled.
RUN uv venv && uv sync --frozen --no-dev

FROM dependencies AS build

COPY app/ app/

FROM python:3.12-slim AS runtime
WORKDIR /app
COPY --from=build /app /app
CMD [".venv/bin/python", "-m", "app"]
