import psycopg2

print("psycopg2", psycopg2.__version__.split()[0], "libpq", psycopg2.extensions.libpq_version())
