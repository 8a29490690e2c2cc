"""One table of a run: a row per measure, a column per size (medians)."""

from __future__ import annotations


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value / 1000:,.1f} s"
    if unit == "×":
        return f"{value:,.2f}×"
    if isinstance(value, float) and value < 10:
        return f"{value:,.2f}{unit}"
    return f"{value:,.0f}{unit}"


def _get(data: dict, *path):
    for key in path:
        if not isinstance(data, dict) or key not in data or "error" in data:
            return None
        data = data[key]
    return data


def _screens(size: dict) -> dict:
    node = size.get("screens")
    return node if isinstance(node, dict) and "error" not in node else {}


def rows(results: dict) -> list[tuple[str, list[str]]]:
    sizes = sorted(results["sizes"], key=int)
    by = results["sizes"]

    def line(label: str, *path, unit: str = " ms") -> tuple[str, list[str]]:
        return label, [_fmt(_get(by[s], *path, "median"), unit) for s in sizes]

    def ratio(label: str, top: tuple, bottom: tuple) -> tuple[str, list[str]]:
        cells = []
        for s in sizes:
            a, b = _get(by[s], *top, "median"), _get(by[s], *bottom, "median")
            cells.append(_fmt(a / b, "×") if a is not None and b else "—")
        return label, cells

    out = [
        line("cold start: Pantry to painted dashboard", "cold_start", "pantry_ms"),
        line("cold start: empty Textual app", "cold_start", "empty_app_ms"),
        ratio("  ratio (target ≤ 2×)", ("cold_start", "pantry_ms"), ("cold_start", "empty_app_ms")),
        line("stage move + recompute + publish", "stage_move", "move_and_recompute_ms"),
        line("  of which recompute + publish", "stage_move", "recompute_and_publish_ms"),
        line("raw SQLite query, same figures", "stage_move", "raw_sqlite_ms"),
        ratio("  ratio (target ≤ 3×)", ("stage_move", "move_and_recompute_ms"), ("stage_move", "raw_sqlite_ms")),
    ]
    screens = set()
    for s in sizes:
        screens.update(_screens(by[s]).keys())
    order = ["open opportunities", "open leads", "open kanban", "switch dashboard→kanban", "switch kanban→forecast",
             "switch forecast→dashboard", "kanban move", "dashboard reload (worker)", "metrics recompute (worker)",
             "forecast reload (worker)"]
    for name in order + sorted(screens - set(order)):
        out.append(line(name, "screens", name, "ms"))
    out.append(("longest input stall in those (1 frame = 16.7 ms)",
                [_fmt(max((max(d["longest_stall_ms"]["samples"], default=0) for d in _screens(by[s]).values()),
                          default=None), " ms") for s in sizes]))
    out.append(("  typical: worst operation's median stall",
                [_fmt(max((d["longest_stall_ms"]["median"] for d in _screens(by[s]).values()), default=None), " ms")
                 for s in sizes]))
    for name in ("dashboard reload (worker)", "metrics recompute (worker)", "forecast reload (worker)"):
        out.append((f"  stall during {name}", [_fmt(_get(_screens(by[s]), name, "longest_stall_ms", "median"), " ms")
                                                for s in sizes]))
    out += [
        line("forecast screen: first load (the day's first visit)", "forecast", "screen_first_load_ms"),
        line("forecast screen: later load (reload, nothing changed)", "forecast", "screen_later_load_ms"),
        line("forecast screen: reload after a stage move", "forecast", "screen_after_move_ms"),
        line("pantry forecast show (whole process)", "forecast", "show_ms"),
        line("  its peak memory (RSS)", "forecast", "show_peak_rss_mb", unit=" MB"),
        line("peak memory (RSS), app through 5 screens", "memory", "peak_rss_mb", unit=" MB"),
        line("pantry report pipeline (whole process)", "report_pipeline", "ms"),
        line("pantry import of the dataset's CSV", "import_csv", "ms", unit="s"),
    ]
    return out


MEASURE_ROWS = (("cold_start", "cold start"), ("stage_move", "stage move"), ("stage_move", "raw SQLite"),
                ("screens", "open "), ("screens", "switch "), ("screens", "kanban move"), ("memory", "peak memory"),
                ("forecast", "forecast screen"), ("forecast", "pantry forecast"),
                ("report_pipeline", "pantry report"), ("import_csv", "pantry import"))


def render(results: dict) -> str:
    sizes = sorted(results["sizes"], key=int)
    header = ["measure (median)", *(f"{int(s):,} opps" for s in sizes)]
    body = rows(results)
    for index, s in enumerate(sizes):
        for key, prefix in MEASURE_ROWS:
            node = results["sizes"][s].get(key)
            failed = isinstance(node, dict) and ("error" in node or node.get("ok") is False)
            if failed:
                for label, cells in body:
                    if label.startswith(prefix):
                        cells[index] = "failed" if "error" in node else f"failed (exit {node.get('exit')})"
    widths = [max(len(header[0]), *(len(label) for label, _ in body))]
    for index in range(len(sizes)):
        widths.append(max(len(header[index + 1]), *(len(cells[index]) for _, cells in body)))
    lines = ["| " + " | ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths))) + " |",
             "|" + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|"]
    for label, cells in body:
        lines.append("| " + " | ".join([label.ljust(widths[0]), *(c.rjust(w) for c, w in zip(cells, widths[1:]))]) + " |")
    return "\n".join(lines)
