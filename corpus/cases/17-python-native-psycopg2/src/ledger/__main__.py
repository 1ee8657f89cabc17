import os

import psycopg2

from ledger import app


@app.get("/balance")
def balance():
    with psycopg2.connect(os.environ["LEDGER_DB_URL"]) as conn:
        return {"ok": conn.closed == 0}


app.run(host="0.0.0.0", port=5000)
