"""Partnership results: importing GA4 and Shopify exports and summing them per creator, campaign and
week against the cost in the terms. No Flask; the API, dashboard and CLI call these."""

from __future__ import annotations

from server.results.importer import ImportRefused, ParsedFile, RowProblem, parse
from server.results.report import SORTS, creator_results, overview, to_csv

__all__ = ["SORTS", "ImportRefused", "ParsedFile", "RowProblem", "creator_results", "overview", "parse",
           "to_csv"]
