"""A message board that keeps its lines in a file next to itself, in /."""
from pathlib import Path

from flask import Flask, render_template, request

BOARD = Path(__file__).parent / "board.txt"

app = Flask(__name__)


def lines():
    return BOARD.read_text().splitlines() if BOARD.exists() else []


@app.get("/")
def index():
    return render_template("board.html", lines=lines())


@app.post("/lines")
def add():
    text = request.get_data(as_text=True).strip()
    with BOARD.open("a") as f:
        f.write(text + "\n")
    return f"stored {len(lines())}\n", 201


@app.get("/health")
def health():
    return f"ok {len(lines())} lines in {BOARD}\n"
