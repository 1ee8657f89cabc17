import click
click.echo("notes")
