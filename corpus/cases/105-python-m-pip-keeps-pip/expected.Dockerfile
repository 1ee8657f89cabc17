FROM python:3.12 AS dependencies

WORKDIR /srv/queue
RUN python3 -m venv /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
COPY requirements.txt .
# the interpreter's own pip, as the packaging guide writes it
RUN python -m pip install --no-cache-dir -r requirements.txt

FROM dependencies AS build

COPY worker.py .

FROM python:3.12-slim AS runtime
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
WORKDIR /srv/queue
COPY --from=build /opt/venv /opt/venv
COPY --from=build /srv/queue /srv/queue
CMD ["python", "worker.py"]
