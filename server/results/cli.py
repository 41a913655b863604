"""``microscout import-results FILE`` and ``microscout audit``: the API's import and audit from a shell."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click


def register(main: Any) -> None:
    main.add_command(import_results)
    main.add_command(audit)


@click.command("import-results")  # no app context: importing needs no models
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--skip-unmatched",
    is_flag=True,
    help="Import the creators' rows even when some rows match no creator (they are listed).",
)
def import_results(file: Path, skip_unmatched: bool) -> None:
    """Import a GA4 traffic-acquisition CSV or a Shopify discount-code report (all rows or none)."""
    from server import settings
    from server.results import ImportRefused
    from server.results.importer import MAX_FILE_BYTES
    from server.results.imports import import_file
    from server.storage import StoreError, open_store

    size = file.stat().st_size
    if size > MAX_FILE_BYTES:  # refused before reading it into memory
        raise click.ClickException(
            f"{file.name}: the file is {size / 1e6:.1f} MB; an import takes at most "
            f"{MAX_FILE_BYTES / 1e6:.1f} MB: export a shorter date range. Nothing imported."
        )
    store = open_store(settings.load())
    try:
        report = import_file(
            store, file.read_bytes(), by="cli", file_name=file.name, skip_unmatched=skip_unmatched
        )
    except ImportRefused as exc:
        for problem in exc.problems:
            click.echo(f"{file.name}: {problem}", err=True)
        raise click.ClickException("nothing imported") from exc
    except StoreError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        store.close()
    kind = {"ga4": "Google Analytics 4", "shopify": "Shopify discount codes"}[report["kind"]]
    click.echo(
        f"{file.name} ({kind}): {report['imported'] + report['duplicates']} rows for {report['creators']} "
        f"creators: {report['imported']} imported, {report['duplicates']} already imported; "
        f"{report['skipped']} rows of other traffic skipped"
    )
    for problem in report["unmatched"]:
        click.echo(f"  unmatched: {problem['message']}")
    for note in report["notes"]:
        click.echo(f"  note: {note}")


@click.command()  # no app context: a server app would load a second embedder
@click.option(
    "--stale-days",
    type=click.IntRange(1, 3650),
    default=30,
    show_default=True,
    help="Snapshots older than this need a fresh look.",
)
def audit(stale_days: int) -> None:
    """Re-score every watchlisted creator with the served models and list what changed.

    Embedded (SQLite), the audit runs in this process; on a team's Redis, on the RQ workers while
    this command follows its progress.
    """
    from tqdm import tqdm

    from server import settings
    from server.jobs import Busy, open_jobs
    from server.jobs import audit as audits
    from server.jobs.runtime import Runtime

    config = settings.load()
    runtime = Runtime(config)
    jobs = open_jobs(config, runtime)
    try:
        record = audits.submit(jobs, runtime.store, stale_days=stale_days, reason="microscout audit")
    except Busy as exc:
        raise click.ClickException(f"{exc}; follow it with GET /v1/jobs/{exc.job_id}") from exc
    bar = tqdm(total=100, unit="%", bar_format="{l_bar}{bar}| {elapsed}")
    try:
        while record["state"] in ("queued", "running"):
            time.sleep(0.5)
            record = jobs.get(record["id"]) or record
            bar.n = round(100 * float(record.get("progress") or 0))
            bar.set_description_str(str(record.get("message") or "")[:48])
            bar.refresh()
    finally:
        bar.close()
        jobs.close()
    if record["state"] != "done":
        raise click.ClickException(f"the audit failed: {record.get('error')}")
    latest = runtime.store.get_setting(audits.LATEST) or {}
    click.echo(record["result"]["summary"] + f" in {record['result']['seconds']:.1f} s")
    for change in latest.get("changes", []):
        click.echo(f"  {change['platform']}/{change['handle']}: {change['message']}")
    for stale in latest.get("stale", []):
        age = f"{stale['days']:.0f} days old" if stale["days"] is not None else "no snapshot"
        click.echo(f"  needs a fresh look: {stale['platform']}/{stale['handle']} ({age})")
