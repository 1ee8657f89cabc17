import sqlite3
from pathlib import Path

from flask import Flask, g, redirect, render_template_string, request, url_for

DATABASE = Path(__file__).parent / "notes.db"

app = Flask(__name__)

PAGE = """<!doctype html>
<title>Notes</title>
<h1>Notes</h1>
<form method="post"><input name="text" autofocus> <button>Add</button></form>
<ul>
{% for note in notes %}  <li>{{ note["id"] }}. {{ note["text"] }}</li>
{% endfor %}</ul>
"""


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(DATABASE)
        g.db.row_factory = sqlite3.Row
    return g.db


@app.teardown_appcontext
def close_db(exc):
    db = g.pop("db", None)
    if db is not None:
        db.close()


@app.route("/", methods=["GET", "POST"])
def index():
    db = get_db()
    if request.method == "POST":
        text = request.form.get("text", "").strip()
        if text:
            db.execute("INSERT INTO notes (text) VALUES (?)", (text,))
            db.commit()
        return redirect(url_for("index"))
    notes = db.execute("SELECT id, text FROM notes ORDER BY id").fetchall()
    return render_template_string(PAGE, notes=notes)


@app.route("/health")
def health():
    count = get_db().execute("SELECT count(*) FROM notes").fetchone()[0]
    return f"ok {count} notes\n"
