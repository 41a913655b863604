"""``microscout tokens`` and ``microscout export`` / ``import`` (the commands registered by
server.storage.cli), run through click against both backends."""

from __future__ import annotations

import json
import uuid

import click
import pytest
from click.testing import CliRunner

from server.storage import cli, open_store
from tests.samples import RUNNING_NICHE, snapshot


@pytest.fixture
def microscout(monkeypatch):
    for name in ("MICROSCOUT_STORE_URL", "MICROSCOUT_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)

    @click.group()
    def group() -> None:
        """Stands in for the main command: the lead's cli calls register() the same way."""

    cli.register(group)
    runner = CliRunner()
    return lambda *args, input=None: runner.invoke(group, [str(a) for a in args], input=input)


def test_tokens_create_list_revoke(microscout, tmp_path):
    created = microscout("tokens", "create", "ana", "--data-dir", tmp_path)
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    assert token.startswith("ms_") and "only its hash" in created.stderr
    store = open_store({"STORE_URL": "", "DATA_DIR": str(tmp_path)})
    assert store.token_name(token) == "ana"

    listed = microscout("tokens", "list", "--data-dir", tmp_path)
    assert listed.exit_code == 0 and listed.stdout.startswith("ana\t") and token not in listed.stdout

    duplicate = microscout("tokens", "create", "ana", "--data-dir", tmp_path)
    assert duplicate.exit_code == 1 and "exists" in duplicate.output
    reserved = microscout("tokens", "create", "admin", "--data-dir", tmp_path)
    assert reserved.exit_code == 1

    assert microscout("tokens", "revoke", "ana", "--data-dir", tmp_path).exit_code == 0
    assert store.token_name(token) is None
    missing = microscout("tokens", "revoke", "ana", "--data-dir", tmp_path)
    assert missing.exit_code == 1 and "no token" in missing.output
    store.close()


def test_export_then_import_moves_a_workspace_to_redis_exactly(microscout, tmp_path, redis_server):
    source = open_store({"STORE_URL": "", "DATA_DIR": str(tmp_path)})
    source.create_niche(RUNNING_NICHE)
    source.save_creator("instagram", "creator", {"niche": "running", "snapshot": snapshot(), "notes": "n"},
                        by="ana")
    source.add_label("running", "fit", snapshot(), by="ana")
    token = source.create_token("ana")

    dump = tmp_path / "workspace.json"
    exported = microscout("export", "-o", dump, "--data-dir", tmp_path)
    assert exported.exit_code == 0, exported.output
    assert "1 niches" in exported.stderr
    assert json.loads(dump.read_text()) == source.export_data()

    redis_url = redis_server.url.removesuffix("/0") + "/3"  # a database of its own
    imported = microscout("import", dump, "--store-url", redis_url)
    assert imported.exit_code == 0, imported.output
    assert "1 creators" in imported.stdout
    target = open_store({"STORE_URL": redis_url, "DATA_DIR": str(tmp_path)})
    assert target.export_data() == source.export_data()
    assert target.token_name(token) == "ana"
    assert microscout("export", "--store-url", redis_url).stdout == dump.read_text()

    again = microscout("import", dump, "--store-url", redis_url)
    assert again.exit_code == 1 and "not empty" in again.output
    assert microscout("import", dump, "--replace", "--store-url", redis_url).exit_code == 0
    target._redis.flushdb()
    target.close()
    source.close()


@pytest.mark.parametrize(("content", "message"), [("{", "not JSON"), ("[]", "not a microscout export"),
                                                  ('{"format": "other"}', "not a microscout export")])
def test_import_refuses_bad_files(microscout, tmp_path, content, message):
    path = tmp_path / f"bad-{uuid.uuid4().hex}.json"
    path.write_text(content)
    result = microscout("import", path, "--data-dir", tmp_path)
    assert result.exit_code == 1 and message in result.output


def test_bad_store_url(microscout):
    result = microscout("tokens", "list", "--store-url", "postgres://nope")
    assert result.exit_code == 1 and "MICROSCOUT_STORE_URL" in result.output
