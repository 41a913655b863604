"""``microscout export`` / ``import`` and ``microscout tokens create|list|revoke``.

``register(cli_group)`` adds them to the main command group. They read the same settings as the
server (MICROSCOUT_STORE_URL, MICROSCOUT_DATA_DIR); ``--store-url`` points one run elsewhere, so
moving a workspace between backends is::

    microscout export -o team.json
    MICROSCOUT_STORE_URL=redis://host:6379/0 microscout import team.json
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from server import settings
from server.storage import Store, StoreError, open_store

_store_url = click.option("--store-url", default=None, metavar="URL",
                          help="Store to use instead of MICROSCOUT_STORE_URL ('' = SQLite in the data dir).")
_data_dir = click.option("--data-dir", default=None, type=click.Path(file_okay=False),
                         help="Data directory instead of MICROSCOUT_DATA_DIR.")


@contextmanager
def _store(store_url: str | None, data_dir: str | None) -> Iterator[Store]:
    config: dict[str, Any] = settings.load()
    if store_url is not None:
        config["STORE_URL"] = store_url
    if data_dir is not None:
        config["DATA_DIR"] = str(Path(data_dir).expanduser().resolve())
    try:
        store = open_store(config)
    except (StoreError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        yield store
    except StoreError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        store.close()


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default="-",
              help="File to write ('-' for standard output).")
@_store_url
@_data_dir
def export_command(output: str, store_url: str | None, data_dir: str | None) -> None:
    """Write the whole workspace (niches, watchlist with history, labels, tokens, settings) as JSON."""
    with _store(store_url, data_dir) as store:
        document = store.export_data()
    text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    if output == "-":
        sys.stdout.write(text)
        return
    _write_atomically(Path(output), text)
    click.echo(_counts("exported", {k: len(v) for k, v in document.items() if isinstance(v, list | dict)}),
               err=True)


@click.command("import")
@click.argument("source", type=click.File("r", encoding="utf-8"))
@click.option("--replace", is_flag=True, help="Overwrite a store that already holds data.")
@_store_url
@_data_dir
def import_command(source: Any, replace: bool, store_url: str | None, data_dir: str | None) -> None:
    """Load a workspace written by ``microscout export`` (all or nothing)."""
    try:
        document = json.load(source)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{source.name} is not JSON: {exc}") from exc
    with _store(store_url, data_dir) as store:
        counts = store.import_data(document, replace=replace)
    click.echo(_counts("imported", counts))


def _counts(verb: str, counts: dict[str, int]) -> str:
    return f"{verb}: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items())


@click.group("tokens")
def tokens() -> None:
    """Team tokens: one per member, so every change records who made it."""


@tokens.command("create")
@click.argument("name")
@_store_url
@_data_dir
def create_token(name: str, store_url: str | None, data_dir: str | None) -> None:
    """Create a token for NAME and print it (only a hash is kept: it cannot be shown again)."""
    with _store(store_url, data_dir) as store:
        token = store.create_token(name)
    click.echo(token)
    click.echo(f"Token for '{name}' created. Copy it now; microscout keeps only its hash.", err=True)


@tokens.command("list")
@_store_url
@_data_dir
def list_tokens(store_url: str | None, data_dir: str | None) -> None:
    """List token names and when they were created (never the tokens)."""
    with _store(store_url, data_dir) as store:
        rows = store.list_tokens()
    if not rows:
        click.echo("no team tokens (the configured MICROSCOUT_API_TOKEN still works as 'admin')", err=True)
    for row in rows:
        click.echo(f"{row['name']}\t{row['created_at']}")


@tokens.command("revoke")
@click.argument("name")
@_store_url
@_data_dir
def revoke_token(name: str, store_url: str | None, data_dir: str | None) -> None:
    """Revoke NAME's token; requests with it get 401 from then on."""
    with _store(store_url, data_dir) as store:
        store.revoke_token(name)
    click.echo(f"revoked '{name}'")


def register(cli_group: click.Group) -> None:
    """Add ``export``, ``import`` and ``tokens`` to the main ``microscout`` group."""
    cli_group.add_command(export_command)
    cli_group.add_command(import_command)
    cli_group.add_command(tokens)
