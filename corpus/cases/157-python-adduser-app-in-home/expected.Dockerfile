FROM python:3.12 AS dependencies

RUN adduser --disabled-password --gecos '' worker

WORKDIR /home/worker
RUN python3 -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

FROM dependencies AS build
COPY app.py ./

FROM python:3.12-slim AS runtime
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
RUN adduser --disabled-password --gecos '' worker
WORKDIR /home/worker
COPY --from=build /opt/venv /opt/venv
COPY --from=build /home/worker /home/worker

USER worker
CMD ["waitress-serve", "--listen=0.0.0.0:8080", "app:app"]
