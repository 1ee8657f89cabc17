#!/bin/sh
set -e
wait-for-it db:5432 --timeout=30
exec node index.js
