#!/bin/bash
set -e
until curl -fsS "http://${DB_HOST:-db}:5984/_up" > /dev/null; do
  sleep 1
done
exec gunicorn --bind 0.0.0.0:8000 api:app
