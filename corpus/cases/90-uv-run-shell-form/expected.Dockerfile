FROM python:3.12-slim-bookworm AS dependencies
RUN pip install --no-cache-dir uv
WORKDIR /code
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev

FROM dependencies AS build
COPY app ./app
ENV VIRTUAL_ENV=/code/.venv PATH="/code/.venv/bin:$PATH"

FROM python:3.12-slim-bookworm AS runtime
ENV VIRTUAL_ENV=/code/.venv PATH="/code/.venv/bin:$PATH"
WORKDIR /code
COPY --from=build /code /code
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8080"]
