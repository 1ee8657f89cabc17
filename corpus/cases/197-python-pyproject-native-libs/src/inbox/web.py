import magic
import MySQLdb
from flask import Flask, request

app = Flask(__name__)


@app.post("/upload")
def upload():
    kind = magic.from_buffer(request.get_data(), mime=True)
    db = MySQLdb.connect(read_default_file="/etc/inbox/my.cnf")
    db.cursor().execute("INSERT INTO uploads (kind) VALUES (%s)", (kind,))
    db.commit()
    return {"kind": kind}
