FROM python:3.12-slim AS dependencies

RUN pip install --no-cache-dir uv==0.4.30

WORKDIR /app

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy

# dependencies first (cached), then the project itself
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

FROM dependencies AS build

COPY . .
RUN uv sync --frozen --no-dev

ENV PATH="/app/.venv/bin:$PATH"

FROM python:3.12-slim AS runtime
ENV PATH="/app/.venv/bin:$PATH"
WORKDIR /app
COPY --from=build /app /app
CMD ["thumbnailer"]
