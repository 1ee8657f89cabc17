import psycopg2  # C extension linked against libpq.so.5: import fails without libpq5
from flask import Flask

app = Flask(__name__)


@app.get("/health")
def health():
    major = psycopg2.__libpq_version__ // 10000
    return f"ok psycopg2 libpq{major}", 200, {"Content-Type": "text/plain"}


@app.get("/")
def index():
    return {"service": "flask-psycopg2", "psycopg2": psycopg2.__version__.split()[0]}
