#!/bin/sh
set -eu
stamp=$(date +%Y%m%d)
pg_dump "$DATABASE_URL" | gzip > "/tmp/db-$stamp.sql.gz"
aws s3 cp "/tmp/db-$stamp.sql.gz" "s3://$BACKUP_BUCKET/db-$stamp.sql.gz"
