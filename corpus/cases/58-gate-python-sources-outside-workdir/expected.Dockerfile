FROM python:3.12 AS dependencies

WORKDIR /app
RUN python3 -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM dependencies AS build
COPY . .

# the app keeps its uploads here
WORKDIR /app/data

FROM python:3.12-slim AS runtime
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
WORKDIR /app/data
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
CMD ["waitress-serve", "--listen=0.0.0.0:8000", "--call", "app:application"]
