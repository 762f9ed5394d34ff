"""Helpers for set-based work on many rows at once."""

import contextlib
import gc


@contextlib.contextmanager
def collector_paused():
    """The cyclic garbage collector paused while a bulk operation runs (a period close, a
    matching run, an import). Such work allocates many small objects that live for the
    operation; with them alive every automatic collection walks them all again (measured: a
    third of an import's time, and most of the spread between two runs of a close). Nothing
    these operations build forms cycles; the collector resumes at the end. Usable as a
    decorator."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def large_page_cache():
    """On SQLite, the connection's page cache raised to ``SQLITE_BULK_CACHE_KB`` while a bulk
    operation runs, and set back afterwards (which frees the pages above the usual size).

    A run that writes hundreds of thousands of rows in one transaction and then reads the
    same tables again (the match run's exception queue, then its payment-status UPDATE) finds
    its pages in the cache instead of reading them again, through a write-ahead log that has
    grown to a gigabyte (measured on ten million invoice lines: the UPDATE went from 24 s to
    8 s). The memory is taken only as pages are read, and given back at the end. Usable
    as a decorator."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        usual = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size=-{int(settings.SQLITE_BULK_CACHE_KB)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={int(usual)}")
