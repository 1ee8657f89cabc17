"""Books kept in a file in the folder the service starts in."""
from pathlib import Path

STORE = Path("books.txt")


def add(title):
    with STORE.open("a") as f:
        f.write(title + "\n")


def titles():
    return STORE.read_text().splitlines() if STORE.exists() else []
