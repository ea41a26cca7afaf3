"""Pages of a long list: the database counts the rows and returns one page of them."""

from __future__ import annotations

from dataclasses import dataclass, field

PAGE_SIZE = 25  # rows of one list on one page (each worklist group, the meeting queue)
# Past the end of any list (which then shows its last page), and small enough for a query parameter.
MAX_PAGE = 10**6


def page_number(value: str | None) -> int:
    """A page number from the query string: anything that is not a positive number is page 1."""
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


@dataclass
class Page:
    total: int
    number: int  # 1-based, within 1 … pages
    size: int = PAGE_SIZE
    rows: list = field(default_factory=list)

    @classmethod
    def of(cls, total: int, requested: int, size: int = PAGE_SIZE) -> Page:
        """A page past the end shows the last page (its links lead back)."""
        return cls(total=total, number=min(max(requested, 1), max(1, -(-total // size))), size=size)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.offset + self.size, self.total)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.last < self.total

    @property
    def next_count(self) -> int:
        return min(self.size, self.total - self.last)

    def __iter__(self):
        return iter(self.rows)

    def __bool__(self) -> bool:
        return self.total > 0
