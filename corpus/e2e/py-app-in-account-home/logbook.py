"""A logbook kept in the directory the app starts in, its account's home.

It says who it runs as (getpass, the passwd entry, HOME), what the home
looks like (owner, mode, entries), appends lines to a file beside itself
and keeps state under ~/.local/state. A plain WSGI app for waitress.
"""

import getpass
import os
import pwd

LOGBOOK = os.path.join(os.getcwd(), "logbook.txt")
STATE = os.path.join(os.path.expanduser("~"), ".local", "state", "logbook", "last")


def describe(path):
    try:
        st = os.stat(path)
    except OSError as err:
        return f"missing ({err.strerror})"
    return f"owner {st.st_uid}:{st.st_gid} mode {oct(st.st_mode & 0o7777)[2:]}"


def whoami():
    try:
        entry = pwd.getpwuid(os.getuid())
        account = f"user {getpass.getuser()} passwd {entry.pw_name} home {entry.pw_dir}"
    except (KeyError, OSError) as err:
        account = f"no passwd entry ({err})"
    cwd = os.getcwd()
    return f"{account} HOME {os.environ.get('HOME')} cwd {cwd} {describe(cwd)}"


def listing(home):
    names = sorted(n for n in os.listdir(home) if n not in ("logbook.txt", ".local", "__pycache__"))
    entries = "; ".join(f"{n} {describe(os.path.join(home, n))}" for n in names)
    return f"{home} {describe(home)}: {entries}"


def app(environ, start_response):
    method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
    body = b""
    if method == "POST":
        size = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(min(size, 1024))
    try:
        if path == "/health":
            status, text = "200 OK", f"ok {whoami()}"
        elif path == "/home":
            status, text = "200 OK", listing(os.path.expanduser("~"))
        elif path == "/logbook" and method == "POST":
            with open(LOGBOOK, "a", encoding="utf-8") as f:
                f.write(body.decode().strip() + "\n")
            status, text = "201 Created", f"appended to {LOGBOOK}, {describe(LOGBOOK)}"
        elif path == "/logbook":
            with open(LOGBOOK, encoding="utf-8") as f:
                status, text = "200 OK", f.read().strip()
        elif path == "/state" and method == "POST":
            os.makedirs(os.path.dirname(STATE), exist_ok=True)
            with open(STATE, "w", encoding="utf-8") as f:
                f.write(body.decode().strip())
            status, text = "201 Created", f"saved {STATE}, {describe(STATE)}"
        elif path == "/state":
            with open(STATE, encoding="utf-8") as f:
                status, text = "200 OK", f.read()
        else:
            status, text = "404 Not Found", "not found"
    except OSError as err:
        status, text = "500 Internal Server Error", f"{err.strerror}: {err.filename}"
    start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
    return [(text + "\n").encode()]
