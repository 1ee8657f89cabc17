FROM python:3.11 AS dependencies

WORKDIR /app

RUN python3 -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM dependencies AS build

COPY . .
RUN mkdir -p /tmp/dfsplit-owned/1/app && chown 65532:65532 /tmp/dfsplit-owned/1/app

FROM python:3.11-slim AS runtime
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=65532:65532 /app /app
COPY --from=build /tmp/dfsplit-owned/1/ /

EXPOSE 8000
USER 65532:65532
CMD ["gunicorn", "--workers", "2", "--bind", "0.0.0.0:8000", "app:app"]
