"""Building blocks of every wire schema: the base model, cleaned text, counts and bounds.

Bounds come from DESIGN.md: 50 posts, 500 comments, 5,000 characters a caption, 2,200 a comment.
Text is NFC-normalised and stripped of control characters (newlines and tabs stay); emoji, RTL and
zero-width characters are kept because they are what real comments are made of.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

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


Text = Annotated[str, AfterValidator(clean_text)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
class Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", str_max_length=20000)
