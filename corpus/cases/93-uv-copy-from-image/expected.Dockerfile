FROM python:3.12-slim-bookworm AS dependencies

# uv as the package manager
COPY --from=ghcr.io/astral-sh/uv:0.5 /uv /uvx /bin/

WORKDIR /srv/app
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev

FROM dependencies AS build

COPY . .
ENV VIRTUAL_ENV=/srv/app/.venv PATH="/srv/app/.venv/bin:$PATH"

FROM python:3.12-slim-bookworm AS runtime
ENV VIRTUAL_ENV=/srv/app/.venv PATH="/srv/app/.venv/bin:$PATH"
WORKDIR /srv/app
COPY --from=build /srv/app /srv/app
EXPOSE 5000
CMD ["python", "main.py"]
