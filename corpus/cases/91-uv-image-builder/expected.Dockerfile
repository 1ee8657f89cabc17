FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim AS dependencies

WORKDIR /app

# dependencies first
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev

FROM dependencies AS build

COPY relay.py .
ENV VIRTUAL_ENV=/app/.venv PATH="/app/.venv/bin:$PATH"

FROM python:3.12-slim-bookworm AS runtime
ENV VIRTUAL_ENV=/app/.venv PATH="/app/.venv/bin:$PATH"
WORKDIR /app
COPY --from=build /app /app

CMD ["python", "-u", "relay.py"]
