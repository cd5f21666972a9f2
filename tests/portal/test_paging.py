"""portal/ui/paging.py: the same pages as Django's paginator, without the COUNT when one page holds all."""

import pytest
from django.core import paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts.models import User
from portal.ui.paging import Paginator
from tests.support.factories import UserFactory


def _same(ours, django):
    assert list(ours) == list(django)
    assert ours.number == django.number
    assert ours.paginator.count == django.paginator.count
    assert ours.paginator.num_pages == django.paginator.num_pages
    assert (ours.has_previous(), ours.has_next()) == (django.has_previous(), django.has_next())


@pytest.mark.parametrize("size", [0, 1, 4, 5, 6, 11])
@pytest.mark.parametrize("number", [None, "", "1", 1, "2", "3", "99", "junk"])
def test_every_page_is_django_s(size, number):
    items = list(range(size))
    _same(Paginator(items, 5).get_page(number), paginator.Paginator(items, 5).get_page(number))


@pytest.mark.django_db
def test_a_first_page_holding_everything_is_one_query_and_counted(django_assert_num_queries):
    UserFactory.create_batch(3)
    with django_assert_num_queries(1):
        page = Paginator(User.objects.order_by("pk"), 5).get_page(None)
        assert len(page) == 3
        assert page.paginator.count == 3
        assert page.paginator.num_pages == 1


@pytest.mark.django_db
def test_a_first_page_that_overflows_is_counted_by_a_count_query():
    UserFactory.create_batch(7)
    with CaptureQueriesContext(connection) as queries:
        page = Paginator(User.objects.order_by("pk"), 5).get_page("1")
        assert len(page) == 5
        assert page.paginator.count == 7
        assert page.has_next()
    assert len(queries) == 2
    assert "COUNT(" in queries[1]["sql"]
