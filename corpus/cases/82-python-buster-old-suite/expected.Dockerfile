FROM python:3.8-buster AS dependencies

WORKDIR /usr/src/app

RUN python3 -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

FROM dependencies AS build

COPY . .

FROM python:3.8-slim-buster AS runtime
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
WORKDIR /usr/src/app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /usr/src/app /usr/src/app

EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "wsgi:app"]
