"""Helpers for bulk operations: the collector paused, SQLite's page cache raised."""

import gc

import pytest
from django.db import connection

from partnerdesk.core.bulk import collector_paused, large_page_cache


def _cache_size() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        return cursor.fetchone()[0]


def test_the_collector_is_paused_and_resumed():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.django_db
def test_the_page_cache_is_raised_for_the_operation_and_set_back(settings):
    if connection.vendor != "sqlite":
        with large_page_cache():  # nothing to do on PostgreSQL
            pass
        return
    settings.SQLITE_BULK_CACHE_KB = 123_456
    usual = _cache_size()
    assert usual != -123_456

    @large_page_cache()
    def work():
        assert _cache_size() == -123_456
        raise RuntimeError("the operation failed")

    with pytest.raises(RuntimeError):
        work()
    assert _cache_size() == usual
