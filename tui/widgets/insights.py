"""Interaction insights as plain-text renderables: totals by kind, sentiment mix, trend, recommendations."""

from __future__ import annotations

from rich.text import Text

from domain.services.interactions import InteractionInsights
from tui.format import label, pct
from tui.widgets.tables import facts, rows

ARROWS = {"up": "↑ up", "down": "↓ down", "flat": "→ flat"}


def _sentiment(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


def interaction_parts(insights: InteractionInsights) -> list:
    """The renderables of one insights block (title, figures, by kind and trend, recommendations)."""
    t = insights.trend
    scored = insights.scored
    mix = (f"{insights.positive} positive · {insights.neutral} neutral · {insights.negative} negative"
           if scored else "no interaction scored")
    # the change is of the daily rate, second half of the period against the first (not a rate per day)
    change = "" if t.change is None else f" ({t.change:+.0%})"
    summary = facts([
        ("Interactions", f"{insights.total:,} from {insights.date_from} to {insights.date_to}"),
        ("Average sentiment", f"{_sentiment(insights.average_sentiment)} ({mix})"),
        ("Trend", f"{ARROWS.get(t.direction, t.direction)}: {t.first_half_per_day:.2f} a day in the first half, "
                  f"{t.second_half_per_day:.2f} in the second{change}; sentiment "
                  f"{ARROWS.get(t.sentiment_direction, '—')}"),
        ("Lead response", "no leads in the period" if insights.response.leads == 0 else
         f"{insights.response.average_hours or 0:.1f} h average, {pct(insights.response.within_target_rate)} "
         f"within {insights.response.target_hours:g} h"),
    ])
    kinds = rows(["Kind", "Count"], [(label(k), f"{n:,}") for k, n in insights.by_kind.items() if n],
                 right=(1,), title=None)
    trend = rows([f"{t.granularity.title()} of", "Interactions", "Sentiment"],
                 [(str(p.start), f"{p.count:,}", _sentiment(p.average_sentiment)) for p in t.points[-6:]],
                 right=(1, 2))
    advice = Text("\n".join("• " + r for r in insights.recommendations))
    return [Text("Interaction insights (90 days)", style="bold"), summary, kinds, trend, advice]
