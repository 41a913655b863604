"""The brand profile (GET, PUT /v1/brand): the marketer's brand names and handles, and competitors."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from server.schemas.base import CLEAN, NOT_BLANK, Wire, not_blank

BrandText = Annotated[str, Field(min_length=1, max_length=100, json_schema_extra=NOT_BLANK), CLEAN,
                      AfterValidator(not_blank)]


class Competitor(Wire):
    name: BrandText
    handles: Annotated[list[BrandText], Field(max_length=20,
                                              description="their accounts, no '@' needed")] = []


class BrandUpdate(Wire):
    """The whole profile; a PUT replaces it."""

    names: Annotated[list[BrandText], Field(max_length=20, description="your brand's names")] = []
    handles: Annotated[list[BrandText], Field(max_length=20, description="your brand's accounts")] = []
    competitors: Annotated[list[Competitor], Field(max_length=50)] = []


class BrandProfile(BaseModel):
    names: list[str]
    handles: list[str]
    competitors: list[Competitor]
    updated_at: str | None = Field(description="when it was last saved; null before the first save")


__all__ = ["BrandProfile", "BrandUpdate", "Competitor"]
