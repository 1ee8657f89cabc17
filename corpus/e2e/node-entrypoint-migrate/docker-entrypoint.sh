#!/bin/sh
set -e
# apply the schema to the database before the server starts
npx prisma migrate deploy
exec "$@"
