FROM python:3.12 AS dependencies

RUN python3 -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
# No WORKDIR: the app lives in /.
COPY requirements.txt requirements.txt
RUN pip install --no-cache-dir -r requirements.txt

FROM dependencies AS build

COPY notes.py .
COPY templates templates

FROM python:3.12-slim AS runtime
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
COPY --from=build /opt/venv /opt/venv
COPY --from=build /requirements.txt /requirements.txt
COPY --from=build /notes.py /notes.py
COPY --from=build /templates /templates

EXPOSE 8000
CMD ["python", "notes.py"]
