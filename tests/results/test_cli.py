"""`microscout import-results FILE`: the same import as the API, from a shell."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from server.cli import main
from server.storage.sqlite import SQLiteStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "results"


def run(tmp_path: Path, *args: str):
    env = {"MICROSCOUT_DATA_DIR": str(tmp_path), "MICROSCOUT_STORE_URL": ""}
    return CliRunner().invoke(main, ["import-results", *args], env=env)


def test_import_results_names_the_rows_then_imports_once(tmp_path):
    store = SQLiteStore(tmp_path / "microscout.db")
    store.save_creator("instagram", "caseyruns", {"outreach": {"fee": "€1,500"}}, by="t")
    ga4 = str(FIXTURES / "ga4_traffic_acquisition.csv")
    refused = run(tmp_path, ga4)
    assert refused.exit_code == 1
    assert "row 18: utm_content 'tess-fall' (campaign fall-trail) matches no creator" in refused.output
    assert "nothing imported" in refused.output and store.list_results() == []
    done = run(tmp_path, ga4, "--skip-unmatched")
    assert done.exit_code == 0, done.output
    assert (
        "4 rows for 1 creators: 4 imported, 0 already imported; 3 rows of other traffic skipped"
        in done.output
    )
    again = run(tmp_path, ga4, "--skip-unmatched")
    assert "4 rows for 1 creators: 0 imported, 4 already imported" in again.output
    assert len(store.list_results()) == 4
    store.close()


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    result = run(tmp_path, str(big))
    assert (
        result.exit_code == 1
        and "the file is 52.4 MB" in result.output
        and "Nothing imported" in result.output
    )
