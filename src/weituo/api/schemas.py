"""Types shared by the API's operations: refs, text, pages, and the compact form of a linked record.

Inputs are bounded so that the schema itself refuses what the database could not store: a ref is a
path-segment-safe ``ref`` (letters, digits, . - :), text never holds a NUL character (PostgreSQL
refuses it) and numbers stay within the columns' ranges. Decimals are written as strings in
responses, exact as stored.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.db.models import QuerySet
from ninja import Schema
from pydantic import Field, StringConstraints, create_model

# A ref as the API addresses it: one path segment (a ref holding "/" is not addressable here).
REF_PATTERN = r"^[\w.\-:]+$"
NO_NUL = r"^[^\x00]*$"

Ref = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=REF_PATTERN)]


def text(max_length: int, min_length: int = 0) -> Any:
    """A text field of at most ``max_length`` characters, without NUL."""
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length, pattern=NO_NUL)]


Search = Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)]
Volume = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]

MAX_PAGE = 100_000
MAX_PAGE_SIZE = 200


class PageQuery(Schema):
    """Pages of a list: ``page`` from 1, ``page_size`` 1–200 (default 50)."""

    page: int = Field(1, ge=1, le=MAX_PAGE, description="页码 page number, from 1")
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="每页条数 items per page (1–200)")


def page_of(item: type[Schema]) -> type[Schema]:
    """The page schema of a list of ``item``: ``{count, page, page_size, items}``."""
    name = item.__name__.removesuffix("Out") + "Page"
    return create_model(
        name,
        __base__=Schema,
        count=(int, Field(description="符合条件的总数 total matching")),
        page=(int, ...),
        page_size=(int, ...),
        items=(list[item], ...),
    )


def paginate(qs: QuerySet, query: PageQuery) -> dict[str, Any]:
    offset = (query.page - 1) * query.page_size
    return {
        "count": qs.count(),
        "page": query.page,
        "page_size": query.page_size,
        "items": list(qs[offset : offset + query.page_size]),
    }


# --- compact forms of a linked record --------------------------------------------------------------


class OrganisationRef(Schema):
    ref: str
    name: str


class ProductRef(Schema):
    ref: str
    name: str


class LineRef(Schema):
    ref: str
    name: str


class SiteRef(Schema):
    ref: str
    name: str


class PersonRef(Schema):
    ref: str
    name: str


class ContractRef(Schema):
    ref: str
    number: str


class WithExtra:
    """A record with values computed beside it (a detail's load, CV, missing categories): the
    response schema reads both as attributes, its resolvers see the record's own attributes."""

    def __init__(self, record: Any, **extra: Any) -> None:
        self._record = record
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._record, name)
