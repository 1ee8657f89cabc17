FROM python:3.12 AS dependencies

ENV PYTHONUNBUFFERED=1
WORKDIR /srv/notes

RUN python3 -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM dependencies AS build

COPY . .

FROM python:3.12-slim AS runtime
ENV PYTHONUNBUFFERED=1
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
WORKDIR /srv/notes
COPY --from=build /opt/venv /opt/venv
COPY --from=build /srv/notes /srv/notes

EXPOSE 8000
CMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]
