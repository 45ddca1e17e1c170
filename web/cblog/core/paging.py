"""Pages of a long list without counting it: "Newer" and "Older" links, no "of N".

Counting a list reads all of it, so its cost grows with the data: on MariaDB at 10,000 posts,
7 ms for the home page's count (an index range) and about 30 ms for a category's or a tag's
(each row read for its status and date). A page needs only its rows and whether one more row
follows. Only a page number past the end counts, to show the last page instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

MAX_PAGE = 100_000  # beyond, a number is junk: page 1 (an OFFSET costs what it skips)


@dataclass
class Window:
    """One page of a list, shaped like Django's ``Page`` for the templates (no ``paginator``)."""

    object_list: list[Any]
    number: int
    more: bool  # another page follows

    paginator = None

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self.more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.more or self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def window(items: Sequence[Any], number: object, per_page: int) -> Window:
    """Page ``number`` (as the query string gives it) of ``items``, a sliceable sequence such
    as a queryset: one slice of ``per_page + 1`` rows; a junk number reads as page 1."""
    try:
        page = int(str(number))
    except ValueError:
        page = 1
    page = page if 1 <= page <= MAX_PAGE else 1
    rows = list(items[(page - 1) * per_page : page * per_page + 1])
    if not rows and page > 1:  # past the end: the last page, as Paginator.get_page does
        total = items.count() if isinstance(items, QuerySet) else len(items)
        page = max(1, math.ceil(total / per_page))
        rows = list(items[(page - 1) * per_page : page * per_page + 1])
    return Window(rows[:per_page], page, len(rows) > per_page)
