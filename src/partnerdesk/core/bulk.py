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
