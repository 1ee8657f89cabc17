FROM python:3.11 AS dependencies
WORKDIR /code
RUN python3 -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
COPY requirements.txt /code/requirements.txt
RUN pip install --no-cache-dir -r /code/requirements.txt

FROM dependencies AS build
COPY app.py /code/app.py
# The start script lives outside the app folder and is made executable here.
COPY entrypoint.sh /entrypoint.sh
RUN chmod +x /entrypoint.sh

FROM python:3.11-slim AS runtime
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
WORKDIR /code
COPY --from=build /entrypoint.sh /entrypoint.sh
COPY --from=build /opt/venv /opt/venv
COPY --from=build /code /code
CMD ["/entrypoint.sh"]
