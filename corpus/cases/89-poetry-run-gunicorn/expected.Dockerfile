FROM python:3.12-bookworm AS dependencies
RUN pip install --no-cache-dir poetry==1.8.5
WORKDIR /srv/quotes
RUN python3 -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
COPY pyproject.toml poetry.lock ./
RUN poetry install --only main --no-root

FROM dependencies AS build
COPY . .

FROM python:3.12-slim-bookworm AS runtime
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
WORKDIR /srv/quotes
COPY --from=build /opt/venv /opt/venv
COPY --from=build /srv/quotes /srv/quotes
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
