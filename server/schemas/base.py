"""Building blocks of every wire schema: the base model, cleaned text, counts and bounds.

Bounds come from DESIGN.md: 50 posts, 500 comments, 5,000 characters a caption, 2,200 a comment.
Text is NFC-normalised and stripped of control characters (newlines and tabs stay); emoji, RTL and
zero-width characters are kept because they are what real comments are made of.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from server.vocab import HANDLE_INPUT_PATTERN

MAX_POSTS = 50
MAX_COMMENTS = 500
MAX_CAPTION = 5000
MAX_COMMENT = 2200
MAX_COUNT = 10**11  # more than anyone on earth has followers or views

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(value: str) -> str:
    return _CONTROL.sub("", unicodedata.normalize("NFC", value))


def not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or only whitespace")
    return value


def visible_text(value: str) -> str:
    value = clean_text(value)
    if not value:
        raise ValueError("must hold a character that is not a control character")
    return value


CLEAN = AfterValidator(clean_text)
CLEAN_VISIBLE = AfterValidator(visible_text)

# A bounded text is ``Annotated[str, Field(max_length=...), CLEAN]``: the limits /openapi.json publishes
# hold for the text as sent, and only then is it cleaned (a 10,001-character note with one control
# character in it is refused, as the schema says). A text of min length 1 needs one character that
# stays after cleaning (the VISIBLE pattern; CLEAN_VISIBLE checks it), and a text that must not be
# blank one that is not a space either (NOT_BLANK; ``not_blank`` checks it after CLEAN).
VISIBLE = {"pattern": "[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]"}
HANDLE_INPUT = {"pattern": HANDLE_INPUT_PATTERN}
NOT_BLANK = {"pattern": "[^\\s\\x00-\\x1f\\x7f-\\x9f]"}
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
def _not_null(schema: dict[str, Any]) -> None:
    """An optional field that may be left out but not sent as null: the schema without its null branch."""
    branches = [b for b in schema.pop("anyOf", []) if b != {"type": "null"}]
    if len(branches) == 1:
        schema.update(branches[0])
    elif branches:
        schema["anyOf"] = branches
    if schema.get("default", 0) is None:
        del schema["default"]


# for fields that refuse null though they may be left out (Annotated[X | None, NOT_NULL] = None)
NOT_NULL = Field(json_schema_extra=_not_null)


class Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", str_max_length=20000)
