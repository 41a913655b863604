"""One import: read the file, tie its rows to creators, write them all or none."""

from __future__ import annotations

from typing import Any

from server.results.importer import ImportRefused, RowProblem, match, parse, row_record
from server.storage.records import now

__all__ = ["import_file"]


def import_file(
    store: Any, data: bytes, *, by: str, file_name: str | None = None, skip_unmatched: bool = False
) -> dict[str, Any]:
    """Import a GA4 or Shopify export into ``store``.

    Raises ImportRefused (nothing written) for a file that is not a results report, a bad row, or,
    unless ``skip_unmatched``, a creator's row that matches no creator. Rows already imported (same
    data, same row) count as duplicates: importing a file twice changes nothing.
    """
    parsed = parse(data)
    matched = match(parsed, store.list_creators())
    if matched.unmatched and not skip_unmatched:
        raise ImportRefused(
            [
                *matched.unmatched,
                RowProblem(
                    None,
                    (
                        "nothing was imported: add the utm_content or discount code to the creator's "
                        "terms (outreach page), or import again skipping unmatched rows"
                    ),
                ),
            ]
        )
    at = now()
    rows = [
        row_record(parsed, row, creator, at=at, by=by, file_name=file_name) for row, creator in matched.rows
    ]
    written = store.add_results(rows) if rows else {"imported": 0, "duplicates": 0}
    return {
        "kind": parsed.kind,
        "file": parsed.digest,
        "rows": len(parsed.rows),
        **written,
        "skipped": matched.skipped,
        "unmatched": [p.to_json() for p in matched.unmatched],
        "errors": [],
        "creators": len({(r["platform"], r["handle"].lower()) for r in rows}),
        "period": list(parsed.period),
        "totals_checked": parsed.totals_checked,
        "notes": parsed.notes,
    }
