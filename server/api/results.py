"""/v1/results: importing GA4 and Shopify exports, and what each partnership returned."""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request

from server import services
from server.api import BOOLEAN_PARAM, param, query_flag, spec
from server.errors import NotFound
from server.results import SORTS, creator_results, overview, to_csv
from server.results.imports import import_file
from server.schemas.results import CreatorResults, ImportReport, ResultsOverview

bp = Blueprint("results", __name__, url_prefix="/v1")

_IMPORT_QUERY = {
    "skip_unmatched": param(
        "true: import the creators' rows and list the rows that match no creator (default: refuse the whole "
        "file when any does)",
        **BOOLEAN_PARAM,
    ),
    "name": "the file's name, kept with each row",
}
_SORT = {
    "sort": param(
        "return (default), revenue, conversions, sessions or cost_per_conversion",
        type="string",
        enum=list(SORTS),
    )
}


@bp.post("/results/import")
@spec(
    summary="Import a GA4 traffic-acquisition CSV or a Shopify discount-code report; all rows or none, "
    "idempotent per file and row.",
    response=ImportReport,
    raw_body="text/csv",
    query=_IMPORT_QUERY,
)
def import_results():
    skip = query_flag("skip_unmatched")
    report = import_file(
        services.get().store,
        request.get_data(cache=False),
        by=g.identity,
        file_name=(request.args.get("name") or None),
        skip_unmatched=skip,
    )
    return jsonify(report)


@bp.get("/watchlist/<platform>/<handle>/results")
@spec(
    summary="A creator's results per campaign and week: sessions, engaged sessions, conversions, revenue, "
    "cost, cost per conversion, return on spend.",
    response=CreatorResults,
)
def creator(platform: str, handle: str):
    store = services.get().store
    entry = store.get_creator(platform, handle)
    if entry is None:
        raise NotFound(f"{platform}/{handle} is not on the watchlist")
    return jsonify(creator_results(entry, store.list_results(platform, handle)))


@bp.get("/results")
@spec(
    summary="Every creator with imported results, best return on spend first.",
    response=ResultsOverview,
    query=_SORT,
)
def list_results():
    store = services.get().store
    return jsonify(
        {
            "creators": overview(
                store.list_creators(), store.list_results(), request.args.get("sort", "return")
            )
        }
    )


@bp.get("/results.csv")
@spec(summary="Results as CSV: one row per creator, campaign and week.", query=_SORT)
def results_csv():
    store = services.get().store
    rows = overview(store.list_creators(), store.list_results(), request.args.get("sort", "return"))
    return Response(
        to_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="results.csv"'},
    )
