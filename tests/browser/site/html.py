"""Bits every fake page shares: safe JSON in script tags, escaping, the page shell."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any


def script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/").replace("<!--", "<\\!--")


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def page(*, title: str, lang: str = "en", head: str = "", body: str, script: str, html_attrs: str = "",
         style: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="{lang}" {html_attrs}>
<head>
<meta charset="utf-8">
<title>{esc(title)}</title>
{head}
<style>
  body {{ margin: 0; font: 14px/1.4 system-ui, sans-serif; }}
  {style}
</style>
</head>
<body>
{body}
<script>
{script}
</script>
</body>
</html>"""


STATIC = Path(__file__).resolve().parent / "static"


def asset(name: str) -> str:
    """A fake site's own script or stylesheet (static/<name>)."""
    return (STATIC / name).read_text()


Answer = tuple[int, str, str]  # status, content type, body
HTML = "text/html; charset=utf-8"
JSON = "application/json"
