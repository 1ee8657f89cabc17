def application(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    body = b"ok" if path == "/health" else b"venv-waitress\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
