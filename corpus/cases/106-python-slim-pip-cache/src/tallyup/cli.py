import click


@click.command()
@click.version_option("1.2.0", prog_name="tallyup")
@click.argument("files", nargs=-1, type=click.File("r"))
def main(files):
    """Count lines per file."""
    for f in files:
        click.echo(f"{sum(1 for _ in f)}\t{f.name}")
