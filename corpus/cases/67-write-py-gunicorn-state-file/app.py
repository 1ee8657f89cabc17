"""Kitchen timers: state is kept in data/timers.yaml so every worker sees it."""
import os
import time

import yaml
from flask import Flask, abort, jsonify, request

STATE_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "timers.yaml")

app = Flask(__name__)


def load_timers():
    if not os.path.exists(STATE_FILE):
        return {}
    with open(STATE_FILE) as f:
        return yaml.safe_load(f) or {}


def save_timers(timers):
    with open(STATE_FILE, "w") as f:
        yaml.safe_dump(timers, f, default_flow_style=False)


@app.get("/health")
def health():
    return "ok\n"


@app.post("/start")
def start():
    data = request.get_json(silent=True) or {}
    name, seconds = data.get("name"), data.get("seconds")
    if not name or not isinstance(seconds, int):
        abort(400, "need a name and whole seconds")
    timers = load_timers()
    timers[name] = {"seconds": seconds, "started_at": time.time()}
    save_timers(timers)
    return jsonify(started=name, seconds=seconds)


@app.get("/timers")
def timers():
    now = time.time()
    result = []
    for name, t in sorted(load_timers().items()):
        result.append({"name": name, "seconds": t["seconds"],
                       "running": now - t["started_at"] < t["seconds"]})
    return jsonify(timers=result)
