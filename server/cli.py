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


@main.command(with_appcontext=False)  # no app in the master: workers load their own after the fork
def serve() -> None:
    """Serve the API and dashboard with gunicorn on MICROSCOUT_HOST:MICROSCOUT_PORT."""
    from server import settings
    from server.serving import run_gunicorn

    run_gunicorn(settings.load())


@main.group()
def train() -> None:
    """Train models (progress on stderr; the report is printed and saved)."""


def _train_job(name: str, force: bool) -> dict:
    """Run the training job of ``name`` in this process, as POST /v1/models/{name}/train queues it:
    the registry keeps the new version and the job decides whether to serve it."""
    from tqdm import tqdm

    from server import settings
    from server.jobs import Busy, train_now
    from server.registry import RegistryError

    bar = tqdm(total=100, unit="%", bar_format="{l_bar}{bar}| {elapsed}")

    def progress(fraction: float, message: str) -> None:
        bar.n = round(100 * fraction)
        bar.set_description_str(message[:48])

    try:
        record = train_now(settings.load(), name, force=force, on_progress=progress)
    except (Busy, RegistryError, ValueError) as exc:
        bar.close()
        raise click.ClickException(str(exc)) from exc
    bar.close()
    if record["state"] != "done":
        raise click.ClickException(f"training failed: {record['error']}")
    return dict(record["result"])


_FORCE = "Activate the new version even if it does not beat the served one."


@train.command("comments", with_appcontext=False)  # no app: it would load a second embedder
@click.option("--force", is_flag=True, help=_FORCE)
@click.option("--output", type=click.Path(file_okay=False), default=None,
              help="Write the new version to this directory (its name is the version) with its report, "
                   "instead of the registry: a release candidate, or a reproduction of the shipped numbers.")
def train_comments(force: bool, output: str | None) -> None:
    """Train the comment classifier on the shipped datasets and users' corrections."""
    if output is not None:
        from training import comments

        comments.main(output)
        return
    result = _train_job("comments", force)
    click.echo(f"{result['model']} {result['version']}: {result['reason']}")
    click.echo(f"  {result['corrections']} corrections; served now: {result['served']}")


@train.command("fit", with_appcontext=False)  # no app: it would load a second embedder
@click.argument("niche")
@click.option("--force", is_flag=True, help=_FORCE)
def train_fit(niche: str, force: bool) -> None:
    """Train NICHE's fit model from its labels: the job POST /v1/models/fit-NICHE/train runs."""
    result = _train_job(f"fit-{niche}", force)
    learned, zero_shot = result["metrics"]["learned"], result["metrics"]["zero_shot"]
    click.echo(f"{result['model']} {result['version']}: {result['reason']}")
    for metric in ("roc_auc", "average_precision", "f1"):
        click.echo(f"  {metric:<18} learned {learned[metric]:.3f}   zero-shot {zero_shot[metric]:.3f}")
    click.echo(f"  {result['labels']} labels, {result['seconds']:.0f} s; served now: {result['served']}")


@main.command(with_appcontext=False)  # no app: the worker loads what its jobs need
@click.option("--burst", is_flag=True, help="Run the queued jobs, then exit.")
@click.option("--heartbeat", type=float, default=30.0, show_default=True,
              help="Seconds without a heartbeat after which servers report this worker's job failed.")
def worker(burst: bool, heartbeat: float) -> None:
    """Run training and audit jobs from the team's Redis (MICROSCOUT_STORE_URL=redis://...).

    A worker embeds on one core (MICROSCOUT_EMBED_LANES=1 unless set): run one per core.
    """
    import os

    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # before numpy loads
        os.environ.setdefault(var, "1")
    from server import settings
    from server.jobs import work

    work(settings.load(), burst=burst, heartbeat=heartbeat)


def _register_storage_commands() -> None:
    from server.storage import cli as storage_cli

    storage_cli.register(main)
    from server.results import cli as results_cli

    results_cli.register(main)


_register_storage_commands()
