import sys

import humanize

from sizefmt import __version__


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["--version"]:
        print(f"sizefmt {__version__} (humanize {humanize.__version__})")
        return
    for arg in args or ["1048576"]:
        print(humanize.naturalsize(int(arg), binary=True))


if __name__ == "__main__":
    main()
