import getpass


def app(environ, start_response):
    with open("requests.log", "a", encoding="utf-8") as f:
        f.write(environ.get("PATH_INFO", "/") + "\n")
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"served by {getpass.getuser()}\n".encode()]
