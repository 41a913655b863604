"""The ``microscout`` command. Commands only parse flags and call the Python API."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup


def _create_app():
    from server import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False)
def main() -> None:
    """microscout: vet micro influencers while you browse."""


@main.command()
def serve() -> None:
    """Serve the API and dashboard with gunicorn on MICROSCOUT_HOST:MICROSCOUT_PORT."""
    from server import settings
    from server.serving import run_gunicorn

    run_gunicorn(settings.load())


@main.group()
def train() -> None:
    """Train models (progress on stderr; the report is printed and saved)."""


@train.command("comments")
@click.option("--output", type=click.Path(file_okay=False), default=None,
              help="Where to write the new version (default: a new version in models/comments/).")
def train_comments(output: str | None) -> None:
    """Train the comment classifier from the shipped datasets (plus users' corrections when a store is set)."""
    from training import comments

    comments.main(output)


def _register_storage_commands() -> None:
    from server.storage import cli as storage_cli

    storage_cli.register(main)


_register_storage_commands()
