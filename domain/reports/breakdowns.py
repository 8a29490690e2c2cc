"""`products`, `sources` and `winloss`: where deals are won and lost."""

from __future__ import annotations

from domain.money import format_money, to_json_number
from domain.reports.base import Report, ReportParams, Table
from domain.reports.pipeline import pct, rate
from domain.services import analytics as a
from domain.session import Session

PRODUCTS = ("products", "Products")
SOURCES = ("sources", "Lead sources")
WINLOSS = ("winloss", "Win / loss")


def _outcome_json(o: a.Outcome, key: str) -> dict:
    return {
        key: o.key, "won_count": o.won_count, "won_value": to_json_number(o.won_value_cents),
        "lost_count": o.lost_count, "lost_value": to_json_number(o.lost_value_cents), "open_count": o.open_count,
        "open_value": to_json_number(o.open_value_cents), "weighted_value": to_json_number(o.weighted_value_cents),
        "win_rate": rate(o.win_rate), "win_loss_ratio": rate(o.win_loss_ratio),
    }


def build_products(session: Session, params: ReportParams) -> Report:
    rows = a.outcomes_by(session, params, "product")
    data = [_outcome_json(o, "product") for o in rows]
    table = Table(
        "Products (values from line items)", ("Product", "Won", "Won value", "Lost", "Win rate", "Open", "Weighted"),
        tuple((o.key, f"{o.won_count:,}", format_money(o.won_value_cents), f"{o.lost_count:,}", pct(o.win_rate, 0),
               f"{o.open_count:,}", format_money(o.weighted_value_cents)) for o in rows),
        numeric=frozenset(range(1, 7)),
    )
    summary = [f"Top product by won value: {rows[0].key} ({format_money(rows[0].won_value_cents)})."] if rows else []
    notes = ("A product's values are its line-item totals; a deal counts once per product even with several lines.",)
    return Report(PRODUCTS[0], PRODUCTS[1], data, (table,), tuple(summary), notes)


def build_sources(session: Session, params: ReportParams) -> Report:
    rows = a.source_performance(session, params)
    data = [
        {"source": s.source, "leads": s.leads, "converted": s.converted, "conversion": rate(s.conversion),
         "won_count": s.won_count, "won_value": to_json_number(s.won_value_cents),
         "cost": None if s.cost_cents is None else to_json_number(s.cost_cents), "roi": rate(s.roi),
         "average_response_hours": None if s.average_response_hours is None else round(s.average_response_hours, 2)}
        for s in rows
    ]
    table = Table(
        "Lead sources", ("Source", "Leads", "Converted", "Conversion", "Won", "Won value", "Cost", "ROI", "Resp. h"),
        tuple((s.source, f"{s.leads:,}", f"{s.converted:,}", pct(s.conversion), f"{s.won_count:,}",
               format_money(s.won_value_cents), "—" if s.cost_cents is None else format_money(s.cost_cents),
               pct(s.roi, 0), "—" if s.average_response_hours is None else f"{s.average_response_hours:.1f}") for s in rows),
        numeric=frozenset(range(1, 9)),
    )
    summary = []
    converting = [s for s in rows if s.conversion is not None and s.leads >= 5]
    if converting:
        best = max(converting, key=lambda s: s.conversion)
        worst = min(converting, key=lambda s: s.conversion)
        summary.append(f"Best converting channel: {best.source} ({pct(best.conversion)}); weakest: {worst.source} "
                       f"({pct(worst.conversion)}).")
    with_roi = [s for s in rows if s.roi is not None]
    if with_roi:
        top = max(with_roi, key=lambda s: s.roi)
        summary.append(f"Best return on recorded spend: {top.source} (ROI {pct(top.roi, 0)}).")
    notes = ("Leads created in the period; won value is that of the opportunities they converted into. "
             "ROI = (won value − recorded cost) ÷ cost, only where a source cost is recorded.",)
    return Report(SOURCES[0], SOURCES[1], data, (table,), tuple(summary), notes)


def build_winloss(session: Session, params: ReportParams) -> Report:
    dims = {"reason": "Lost reason", "competitor": "Competitor", "rep": "Rep", "product": "Product", "source": "Source"}
    data: dict = {}
    tables = []
    totals = a.pipeline_figures(session, params)
    for dim, label in dims.items():
        rows = a.outcomes_by(session, params, dim)
        if dim == "reason":
            rows = sorted((o for o in rows if o.lost_count), key=lambda o: (-o.lost_count, o.key))
            data["by_reason"] = [{"reason": o.key or "(no reason)", "lost_count": o.lost_count,
                                  "lost_value": to_json_number(o.lost_value_cents)} for o in rows]
            tables.append(Table("Lost deals by reason", ("Reason", "Lost", "Lost value"),
                                tuple((o.key or "(no reason)", f"{o.lost_count:,}", format_money(o.lost_value_cents))
                                      for o in rows), numeric=frozenset({1, 2})))
            continue
        data[f"by_{dim}"] = [_outcome_json(o, dim) for o in rows]
        tables.append(Table(f"By {label.lower()}", (label, "Won", "Lost", "Win rate", "Won:lost", "Won value", "Lost value"),
                            tuple((o.key or "—", f"{o.won_count:,}", f"{o.lost_count:,}", pct(o.win_rate, 0),
                                   "—" if o.win_loss_ratio is None else f"{o.win_loss_ratio:.2f}",
                                   format_money(o.won_value_cents), format_money(o.lost_value_cents)) for o in rows),
                            numeric=frozenset(range(1, 7))))
    data["won_count"], data["lost_count"], data["win_rate"] = totals.won_count, totals.lost_count, rate(totals.win_rate)
    data["win_loss_ratio"] = rate(a.ratio(totals.won_count, totals.lost_count))
    summary = [f"{totals.won_count:,} won and {totals.lost_count:,} lost: win rate {pct(totals.win_rate)}."]
    if data["by_reason"]:
        top = data["by_reason"][0]
        summary.append(f"Most common loss reason: {top['reason']} ({top['lost_count']} deals).")
    threats = [o for o in data["by_competitor"] if o["lost_count"]]
    if threats:
        worst = max(threats, key=lambda o: o["lost_count"])
        summary.append(f"Lost most often against {worst['competitor']} ({worst['lost_count']} deals).")
    return Report(WINLOSS[0], WINLOSS[1], data, tuple(tables), tuple(summary))
