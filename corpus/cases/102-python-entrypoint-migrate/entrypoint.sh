#!/bin/sh
set -e
if [ -n "$DATABASE_URL" ]; then
  echo "database: $DATABASE_URL"
fi
python manage.py migrate --noinput
exec gunicorn mysite.wsgi:application --bind 0.0.0.0:8000 --workers 2
