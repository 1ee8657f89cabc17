# syntax=docker/dockerfile:1
FROM python:3.12-bookworm AS dependencies

RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends build-essential libxml2-dev libxslt1-dev
rm -rf /var/lib/apt/lists/*
EOF

WORKDIR /app

COPY requirements.txt .
RUN <<EOF
python -m venv /opt/venv
/opt/venv/bin/pip install --no-cache-dir --no-binary lxml -r requirements.txt
EOF

FROM dependencies AS build

COPY <<EOF /etc/scraper.toml
[crawl]
delay_seconds = 2
user_agent = "acme-scraper/1.0"
EOF

COPY scraper/ ./scraper/
ENV PATH="/opt/venv/bin:$PATH"

FROM python:3.12-slim-bookworm AS runtime
ENV PATH="/opt/venv/bin:$PATH"
WORKDIR /app
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends libxml2 libxslt1.1 && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY --from=build /etc/scraper.toml /etc/scraper.toml
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
CMD ["python", "-m", "scraper"]
