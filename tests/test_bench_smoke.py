"""The benchmark harness runs (`python -m bench --quick`: 1,000 opportunities, one sample each).

A smoke test, not a benchmark: it checks that every measure ran and the JSON has its shape.
Nothing here asserts a timing — figures on a shared test machine mean nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow

MEASURES = ("cold_start", "stage_move", "screens", "forecast", "memory", "report_pipeline", "import_csv")


def median_and_samples(node: dict) -> None:
    assert set(node) >= {"median", "samples"}
    assert node["samples"] and all(isinstance(x, (int, float)) for x in node["samples"])
    assert isinstance(node["median"], (int, float))


def test_harness_runs_at_the_smallest_size(tmp_path):
    out = tmp_path / "latest.json"
    env = dict(os.environ, PANTRY_BENCH_CACHE=str(tmp_path / "cache"), PANTRY_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| measure (median)" in done.stdout

    results = json.loads(out.read_text(encoding="utf-8"))
    assert set(results) >= {"date", "command", "machine", "load_average_start", "load_average_end", "sizes", "targets",
                            "table", "errors"}
    assert set(results["machine"]) >= {"cores", "ram_gib", "python", "sqlite"}
    assert results["errors"] == []
    assert list(results["sizes"]) == ["1000"]
    size = results["sizes"]["1000"]
    for measure in MEASURES:
        assert measure in size and "error" not in size[measure], (measure, size.get(measure))

    median_and_samples(size["cold_start"]["pantry_ms"])
    median_and_samples(size["cold_start"]["empty_app_ms"])
    for key in ("move_and_recompute_ms", "recompute_and_publish_ms", "raw_sqlite_ms"):
        median_and_samples(size["stage_move"][key])
    assert size["stage_move"]["figures_match"] is True  # the raw query computes the very figures published
    for name in ("open opportunities", "open leads", "open kanban", "switch dashboard→kanban", "kanban move"):
        median_and_samples(size["screens"][name]["ms"])
        median_and_samples(size["screens"][name]["longest_stall_ms"])
    for key in ("screen_first_load_ms", "screen_later_load_ms", "screen_after_move_ms", "show_ms", "show_peak_rss_mb"):
        median_and_samples(size["forecast"][key])
    median_and_samples(size["memory"]["peak_rss_mb"])
    median_and_samples(size["report_pipeline"]["ms"])
    assert isinstance(size["import_csv"]["ok"], bool)

    assert len(results["targets"]) == 11
    for check in results["targets"]:
        assert check["status"] in ("met", "missed", "not measured")
        assert check["detail"]
