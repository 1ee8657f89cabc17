FROM python:3.11-slim AS dependencies
RUN apt-get update && apt-get install -y --no-install-recommends gcc
RUN python3 -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt

FROM dependencies AS build
COPY app /app
COPY notes /srv/notes
WORKDIR /app

FROM python:3.11-slim AS runtime
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
WORKDIR /app
COPY --from=build /tmp/requirements.txt /tmp/requirements.txt
COPY --from=build /srv/notes /srv/notes
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
CMD ["python", "app.py"]
