# escape=`

# Shared template from the Windows build agents; the escape character stayed.
FROM python:3.11 AS dependencies

WORKDIR /opt/reports

RUN python3 -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
COPY requirements.txt .
RUN pip install --no-cache-dir `
        --disable-pip-version-check `
        -r requirements.txt

FROM dependencies AS build

COPY . .
RUN python -m compileall -q reports

# a literal backslash: with backtick as escape, "\" needs no doubling
ENV CSV_LINE_BREAK=\r\n

FROM python:3.11-slim AS runtime
# a literal backslash: with backtick as escape, "\" needs no doubling
ENV CSV_LINE_BREAK=\r\n
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
WORKDIR /opt/reports
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/reports /opt/reports
CMD ["python", "-m", "reports"]
