"""Shared benchmark plumbing: a temporary database, median timing and the result line.

Each benchmark runs as ``.venv/bin/python bench/<name>.py [--scale X]``. It never touches
``var/``: SQLite goes to a temporary directory; with ``DATABASE_URL`` set to PostgreSQL a fresh
database named ``partnerdesk_bench_<pid>`` is created and dropped.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1.0 = the size named in the issue"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="partnerdesk-bench-")
    os.environ["PARTNERDESK_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerdesk.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["STATIC_MANIFEST"] = "false"
    url = os.environ.get("DATABASE_URL", "")
    args.pg_name = None
    if url.startswith("postgres"):
        args.pg_name = f"partnerdesk_bench_{os.getpid()}"
        _pg_admin(url, f'CREATE DATABASE "{args.pg_name}"')
        os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + args.pg_name
        args.admin_url = url
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    args.tmp = tmp
    return args


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(sql)


def teardown(args) -> None:
    import shutil

    from django.db import connections

    connections.close_all()
    if args.pg_name:
        _pg_admin(args.admin_url, f'DROP DATABASE IF EXISTS "{args.pg_name}"')
    shutil.rmtree(args.tmp, ignore_errors=True)


def median_seconds(fn, *, repeat: int, before=None) -> float:
    """Run ``before()`` (untimed) then ``fn()`` (timed) ``repeat`` times; the median."""
    times = []
    for _ in range(max(1, repeat)):
        if before:
            before()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(name: str, rows: int, seconds: float, floor: float, **extra) -> None:
    more = " ".join(f"{k}={v}" for k, v in extra.items())
    ratio = seconds / floor if floor > 0 else float("inf")
    print(
        f"bench: {name} rows={rows} seconds={seconds:.4f} floor_seconds={floor:.4f} "
        f"ratio={ratio:.2f}" + (f" {more}" if more else "")
    )
