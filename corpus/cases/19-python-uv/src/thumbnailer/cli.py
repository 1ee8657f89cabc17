import sys

from PIL import Image


def main() -> None:
    for path in sys.argv[1:]:
        with Image.open(path) as im:
            im.thumbnail((256, 256))
            im.save(path + ".thumb.png")
