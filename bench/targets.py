"""The issue's targets, checked against one run's measurements (ratios of medians, side by side)."""

from __future__ import annotations

FRAME_MS = 1000 / 60  # Textual paints at most 60 frames a second

LIST_SCREENS = ("open opportunities", "open leads", "open kanban")


def _median(node: dict | None) -> float | None:
    return node.get("median") if isinstance(node, dict) else None


def _measure(by: dict, size: str, key: str) -> dict:
    """One size's measure, or {} when it was not run or failed (then its check says "not measured")."""
    node = by.get(size, {}).get(key)
    return node if isinstance(node, dict) and "error" not in node else {}


def _check(name: str, limit: float, value: float | None, unit: str, detail: str) -> dict:
    if value is None:
        return {"target": name, "limit": limit, "value": None, "status": "not measured", "detail": detail}
    met = value <= limit
    over = "" if met else f" — missed by {value / limit:.1f}× the limit" if unit == "×" else \
        f" — missed by {value - limit:,.0f} {unit}"
    text = f"{value:,.2f}{unit}" if unit == "×" else f"{value:,.1f} {unit}"
    return {"target": name, "limit": limit, "value": round(value, 3), "status": "met" if met else "missed",
            "detail": f"{detail}: {text} (limit {limit:g}{unit if unit == '×' else ' ' + unit}){over}"}


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


def evaluate(results: dict) -> list[dict]:
    sizes = sorted(int(s) for s in results["sizes"])
    small, large = str(sizes[0]), str(sizes[-1])
    by = results["sizes"]
    at = f"at {int(large):,}"
    checks = []

    cold = _measure(by, large, "cold_start")
    checks.append(_check("cold start ≤ 2× an empty Textual app", 2.0,
                         _ratio(_median(cold.get("pantry_ms")), _median(cold.get("empty_app_ms"))), "×",
                         f"Pantry ÷ empty app {at}"))

    move = _measure(by, large, "stage_move")
    checks.append(_check("stage move recompute ≤ 3× the raw SQLite query", 3.0,
                         _ratio(_median(move.get("move_and_recompute_ms")), _median(move.get("raw_sqlite_ms"))), "×",
                         f"move + recompute + publish ÷ raw query {at}"))

    comparable = small != large
    for screen in LIST_SCREENS:
        value = None
        if comparable:
            value = _ratio(_median(_measure(by, large, "screens").get(screen, {}).get("ms")),
                           _median(_measure(by, small, "screens").get(screen, {}).get("ms")))
        checks.append(_check(f"{screen} ≤ 1.5× the same at {int(small):,}", 1.5, value, "×",
                             f"{screen} {at} ÷ at {int(small):,}"))

    memory = None
    if comparable:
        memory = _ratio(_median(_measure(by, large, "memory").get("peak_rss_mb")),
                        _median(_measure(by, small, "memory").get("peak_rss_mb")))
    checks.append(_check(f"peak memory ≤ 1.5× that at {int(small):,}", 1.5, memory, "×",
                         f"peak RSS {at} ÷ at {int(small):,}"))

    fc = _measure(by, large, "forecast")
    checks.append(_check("forecast screen first load ≤ 1 s", 1000.0, _median(fc.get("screen_first_load_ms")), "ms",
                         f"the day's first visit to the Forecast screen {at}"))
    checks.append(_check("forecast screen later loads ≤ 300 ms", 300.0, _median(fc.get("screen_later_load_ms")), "ms",
                         f"a reload of the Forecast screen {at} (after a stage move: "
                         f"{_median(fc.get('screen_after_move_ms')) or 0:,.0f} ms)"))
    show, show_memory = None, None
    if comparable:
        show = _ratio(_median(fc.get("show_ms")), _median(_measure(by, small, "forecast").get("show_ms")))
        show_memory = _ratio(_median(fc.get("show_peak_rss_mb")),
                             _median(_measure(by, small, "forecast").get("show_peak_rss_mb")))
    checks.append(_check(f"pantry forecast show ≤ 2× its time at {int(small):,}", 2.0, show, "×",
                         f"whole process {at} ÷ at {int(small):,}"))
    checks.append(_check(f"pantry forecast show peak memory ≤ 1.5× that at {int(small):,}", 1.5, show_memory, "×",
                         f"peak RSS {at} ÷ at {int(small):,}"))

    screens = _measure(by, large, "screens")
    worst, where = None, ""
    for name, data in screens.items():
        longest = max(data["longest_stall_ms"]["samples"], default=None)
        if longest is not None and (worst is None or longest > worst):
            worst, where = longest, name
    checks.append(_check("no keystroke blocks input longer than one frame", round(FRAME_MS, 1), worst, "ms",
                         f"longest event-loop stall {at} (during {where or '—'})"))
    return checks
