FROM python:3.12 AS dependencies
WORKDIR /code

RUN --mount=type=cache,target=/root/.cache/pip pip install poetry==1.8.4
RUN python3 -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
COPY pyproject.toml poetry.lock ./
RUN poetry export -f requirements.txt --output requirements.txt --without-hashes
RUN pip install --no-cache-dir -r requirements.txt

FROM dependencies AS build

COPY . .

FROM python:3.12-slim AS runtime
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
WORKDIR /code
COPY --from=build /opt/venv /opt/venv
COPY --from=build /code /code
EXPOSE 8000
CMD ["gunicorn", "-b", "0.0.0.0:8000", "shop.wsgi"]
