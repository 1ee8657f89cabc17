import collections

import click

from . import __version__


@click.command()
@click.version_option(__version__, prog_name="wordtally")
@click.argument("words", nargs=-1)
def main(words):
    """Print each word with how often it occurs."""
    for word, n in collections.Counter(words).most_common():
        click.echo(f"{n} {word}")
