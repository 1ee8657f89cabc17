FROM python:3.11 AS dependencies

WORKDIR /app

RUN python3 -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM dependencies AS build

COPY . .

ENV FLASK_APP=app.py
RUN mkdir -p /tmp/dfsplit-owned/1/app && chown 65532:65532 /tmp/dfsplit-owned/1/app

FROM python:3.11-slim AS runtime
ENV FLASK_APP=app.py
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=65532:65532 /app /app
COPY --from=build /tmp/dfsplit-owned/1/ /
EXPOSE 5000
USER 65532:65532
CMD ["flask", "run", "--host", "0.0.0.0"]
