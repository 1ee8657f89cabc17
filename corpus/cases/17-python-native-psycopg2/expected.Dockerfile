FROM python:3.11-bookworm AS build

# psycopg2 is built from source: needs a compiler and the libpq headers
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libpq-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /srv

RUN python3 -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
COPY pyproject.toml ./
COPY src/ ./src/
RUN pip install --no-cache-dir .

ENV LEDGER_DB_URL=postgresql://ledger@db/ledger

FROM python:3.11-slim-bookworm AS runtime
ENV LEDGER_DB_URL=postgresql://ledger@db/ledger
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
WORKDIR /srv
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/venv /opt/venv
COPY --from=build /srv /srv
EXPOSE 5000
CMD ["python", "-m", "ledger"]
