from flask import Flask, jsonify

app = Flask(__name__)
NOTES = [{"id": 1, "text": "buy milk"}]


@app.get("/health")
def health():
    return "ok", 200, {"Content-Type": "text/plain"}


@app.get("/notes")
def notes():
    return jsonify(NOTES)
