FROM python:3.10 AS dependencies

RUN pip install --no-cache-dir pipenv

WORKDIR /app

RUN python3 -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
# exact versions from Pipfile.lock; fail if the lock is stale
COPY Pipfile Pipfile.lock ./
RUN pipenv install --system --deploy --ignore-pipfile

FROM dependencies AS build

COPY . .

FROM python:3.10-slim AS runtime
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app

CMD ["python", "bot.py"]
