"""Every benchmark runs at a tiny scale so it never rots; only its result line is checked."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parents[1] / "bench"
BENCHES = sorted(p for p in BENCH_DIR.glob("*.py") if not p.name.startswith("_"))
LINE = re.compile(
    r"^bench: (?P<name>\w+) rows=\d+ seconds=[\d.]+ floor_seconds=[\d.]+ ratio=[\d.]+(inf)?"
)


@pytest.mark.slow
@pytest.mark.parametrize("script", BENCHES, ids=lambda p: p.stem)
def test_benchmark_runs_at_tiny_scale(script):
    env = {k: v for k, v in os.environ.items() if k != "PARTNERDESK_VAR_DIR"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(script), "--scale", "0.001", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    last = result.stdout.strip().splitlines()[-1]
    match = LINE.match(last)
    assert match, last
    assert match["name"] == script.stem
