FROM python:3.12 AS dependencies

WORKDIR /srv/app
RUN python3 -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM dependencies AS build

# Shared code beside the service, which starts in its own folder.
COPY shared/ ./shared/
COPY service/ ./service/

WORKDIR /srv/app/service
ENV PYTHONPATH=/srv/app

FROM python:3.12-slim AS runtime
ENV PYTHONPATH=/srv/app
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
WORKDIR /srv/app/service
COPY --from=build /opt/venv /opt/venv
COPY --from=build /srv/app /srv/app
CMD ["python", "main.py"]
