FROM python:3.12-bookworm AS build

WORKDIR /srv/inbox

RUN python3 -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
COPY pyproject.toml ./
COPY src/ ./src/
RUN pip install --no-cache-dir .

FROM python:3.12-slim-bookworm AS runtime
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
WORKDIR /srv/inbox
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends libmariadb3 libmagic1 && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/venv /opt/venv
COPY --from=build /srv/inbox /srv/inbox

EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "inbox.web:app"]
