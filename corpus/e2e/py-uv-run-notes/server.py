"""A note board started with `uv run`: GET / and /notes, POST /notes.

Notes are appended to data/notes.txt under the working directory; the
size of the file is shown with humanize (a dependency from the project's
environment). SIGTERM stops the server cleanly.
"""

import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import humanize

DATA = os.path.join("data", "notes.txt")
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def _send(self, status, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/":
            self._send(200, f"notes board on Python {sys.version_info.major}.{sys.version_info.minor}, env {os.environ.get('VIRTUAL_ENV', '-')}\n")
        elif self.path == "/notes":
            with LOCK:
                try:
                    with open(DATA, encoding="utf-8") as f:
                        lines = f.read().splitlines()
                    size = humanize.naturalsize(os.path.getsize(DATA))
                except FileNotFoundError:
                    lines, size = [], humanize.naturalsize(0)
            self._send(200, f"{len(lines)} notes ({size})\n" + "".join(l + "\n" for l in lines))
        else:
            self._send(404, "not found\n")

    def do_POST(self):
        if self.path != "/notes":
            self._send(404, "not found\n")
            return
        n = int(self.headers.get("Content-Length") or 0)
        text = self.rfile.read(min(n, 1024)).decode("utf-8", "replace").strip().replace("\n", " ")
        if not text:
            self._send(400, "empty note\n")
            return
        with LOCK:
            os.makedirs(os.path.dirname(DATA), exist_ok=True)
            with open(DATA, "a", encoding="utf-8") as f:
                f.write(text + "\n")
        self._send(201, f"saved: {text}\n")

    def log_message(self, fmt, *args):
        print(fmt % args, flush=True)


def main():
    server = ThreadingHTTPServer(("0.0.0.0", 8000), Handler)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print("notes board on :8000", flush=True)
    server.serve_forever()
    print("notes board stopped", flush=True)


if __name__ == "__main__":
    main()
