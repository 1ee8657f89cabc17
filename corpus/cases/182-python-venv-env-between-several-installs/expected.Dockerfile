FROM python:3.12-slim AS dependencies
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
RUN python3 -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
ENV PIP_DISABLE_PIP_VERSION_CHECK=1

COPY requirements.txt ./
# Its dependencies, then the project itself.
RUN pip install --no-cache-dir -r requirements.txt

FROM dependencies AS build

# The whole project.
COPY . .
RUN pip install --no-cache-dir .

FROM python:3.12-slim AS runtime
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
CMD ["greeter"]
