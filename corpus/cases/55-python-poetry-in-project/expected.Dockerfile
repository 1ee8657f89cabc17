FROM python:3.11 AS dependencies

ENV POETRY_VIRTUALENVS_IN_PROJECT=true \
    POETRY_NO_INTERACTION=1
RUN pip install --no-cache-dir poetry==1.8.5

WORKDIR /srv/api
COPY pyproject.toml poetry.lock ./
RUN poetry install --only main --no-root

FROM dependencies AS build

COPY . .

FROM python:3.11-slim AS runtime
WORKDIR /srv/api
COPY --from=build /srv/api /srv/api

# the venv poetry made in the project
CMD ["/srv/api/.venv/bin/waitress-serve", "--listen=0.0.0.0:8000", "api:app"]
