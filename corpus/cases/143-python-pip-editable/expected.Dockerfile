FROM python:3.12 AS build

WORKDIR /app
RUN python3 -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
COPY pyproject.toml .
COPY notes/ notes/
# Editable: the venv links back to /app, which the runtime keeps at the same path.
RUN pip install --no-cache-dir -e .

FROM python:3.12-slim AS runtime
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app

CMD ["python", "-m", "notes"]
