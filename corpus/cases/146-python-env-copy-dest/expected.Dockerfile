FROM python:3.12-bookworm AS dependencies

# The app's folder is named once, and every path below uses it.
ENV APP_HOME=/srv/ledger

RUN python3 -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
COPY requirements.txt ${APP_HOME}/
RUN pip install --no-cache-dir -r ${APP_HOME}/requirements.txt

FROM dependencies AS build

COPY . ${APP_HOME}
WORKDIR ${APP_HOME}

FROM python:3.12-slim-bookworm AS runtime
# The app's folder is named once, and every path below uses it.
ENV APP_HOME=/srv/ledger
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
WORKDIR /srv/ledger
COPY --from=build /opt/venv /opt/venv
COPY --from=build /srv/ledger /srv/ledger

EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "ledger:app"]
