FROM python:3.12 AS dependencies
ENV PYTHONUNBUFFERED=1
WORKDIR /app

RUN python3 -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM dependencies AS build

COPY . .
RUN chmod +x entrypoint.sh && python manage.py collectstatic --noinput

FROM python:3.12-slim AS runtime
ENV PYTHONUNBUFFERED=1
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY --from=build /var/www/static /var/www/static

EXPOSE 8000
CMD ["sh", "entrypoint.sh"]
