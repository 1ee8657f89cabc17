#!/bin/sh
set -e

echo "applying migrations"
npx prisma migrate deploy

exec "$@"
