import bottle

import shelf

app = bottle.Bottle()


@app.get("/health")
def health():
    return f"ok {len(shelf.titles())} books, shelf from {shelf.__file__}\n"


@app.post("/books")
def add():
    shelf.add(bottle.request.body.read().decode().strip())
    bottle.response.status = 201
    return f"stored {len(shelf.titles())}\n"


@app.get("/books")
def books():
    return "\n".join(shelf.titles()) + "\n"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000, quiet=True)
