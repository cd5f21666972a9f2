"""Paging that skips the COUNT query when the first page holds everything.

Django's Paginator counts the whole list before it reads a page: for the CSM book's annotated
queries (per-customer counts, a subquery per row) that is a second run of the same query, and a
CSM's whole book fits on one page. ``Paginator`` here reads the first page with one row more:
when that extra row is missing, the page is the whole list and its length is the count. Any
other page, or a first page that overflows, is counted as Django counts it.
"""

from __future__ import annotations

from typing import Any

from django.core import paginator


class Paginator(paginator.Paginator):
    def get_page(self, number: Any) -> paginator.Page:
        if self.orphans or not self.allow_empty_first_page or number not in (None, "", "1", 1):
            return super().get_page(number)
        head = list(self.object_list[: self.per_page + 1])
        if len(head) <= self.per_page:
            self.__dict__["count"] = len(head)  # Paginator.count is a cached_property
        return paginator.Page(head[: self.per_page], 1, self)
