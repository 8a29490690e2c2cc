"""Competitive intelligence: the seed's analyzeCompetition and calculateThreatLevel.

Threat score (seed, exact): market share > 0.3 → 3, > 0.1 → 2, else 1; pricing lower → 2,
competitive → 1, higher → 0; + 0.5 per listed strength. Score ≥ 5 → high, ≥ 3 → medium,
else low. Example: share 0.35, lower pricing, 2 strengths = 3 + 2 + 1 = 6 → high.

The seed passes the opportunity to calculateThreatLevel but never uses it: the threat is a
property of the competitor, the same on every deal. We keep that (and say so). The seed's
getPositioningStrategy and generateCompetitiveRecommendations are undefined; ours are below.
Win/loss against each competitor is reported elsewhere (the `winloss` report).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from domain.enums import Pricing
from domain.records import Battlecard, Competitor
from domain.session import Session

ThreatLevel = Literal["low", "medium", "high"]

HIGH_THREAT_FROM = 5.0
MEDIUM_THREAT_FROM = 3.0
POINTS_PER_STRENGTH = 0.5
# market_share is REAL on PostgreSQL (4 bytes: about 7 significant digits); comparing the seed's
# thresholds against a value rounded to 6 places keeps 0.3 equal to 0.3 on both databases.
SHARE_DIGITS = 6


@dataclass(frozen=True)
class ThreatBreakdown:
    market_share_points: int
    pricing_points: int
    strength_points: float
    score: float
    level: ThreatLevel


@dataclass(frozen=True)
class CompetitorAnalysis:
    competitor_id: int
    name: str
    threat: ThreatBreakdown
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]
    pricing: str
    market_share: float
    positioning: str
    battlecards: tuple[Battlecard, ...]
    deal_notes: str = ""

    @property
    def threat_level(self) -> ThreatLevel:
        return self.threat.level


@dataclass(frozen=True)
class CompetitiveAnalysis:
    opportunity_id: int
    opportunity_name: str
    competitors: tuple[CompetitorAnalysis, ...]
    recommendations: tuple[str, ...]
    win_probability: int  # the opportunity's probability, percent 0–100 (as the seed)


# -- scoring (pure) -------------------------------------------------------------------------------


def market_share_points(market_share: float) -> int:
    share = round(market_share, SHARE_DIGITS)
    if share > 0.3:
        return 3
    if share > 0.1:
        return 2
    return 1


def pricing_points(pricing: Pricing | str) -> int:
    value = pricing.value if isinstance(pricing, Pricing) else str(pricing)
    if value == Pricing.LOWER.value:
        return 2
    if value == Pricing.COMPETITIVE.value:
        return 1
    return 0


def threat_level(score: float) -> ThreatLevel:
    if score >= HIGH_THREAT_FROM:
        return "high"
    if score >= MEDIUM_THREAT_FROM:
        return "medium"
    return "low"


def threat_breakdown(competitor: Competitor) -> ThreatBreakdown:
    share = market_share_points(competitor.market_share)
    price = pricing_points(competitor.pricing)
    strengths = len(competitor.strengths) * POINTS_PER_STRENGTH  # halves are exact in binary floating point
    score = share + price + strengths
    return ThreatBreakdown(share, price, strengths, score, threat_level(score))


def positioning_strategy(competitor: Competitor) -> str:
    """How to sell against this competitor: from its pricing, weaknesses and strengths."""
    pricing = competitor.pricing.value if isinstance(competitor.pricing, Pricing) else str(competitor.pricing)
    parts = []
    if pricing == Pricing.LOWER.value:
        parts.append(f"{competitor.name} sells on price: compare landed cost on the customer's own invoices "
                     "(delivery fees, split-case charges, fuel surcharges, substitutions), never case price alone.")
    elif pricing == Pricing.HIGHER.value:
        parts.append(f"{competitor.name} is the premium option: match their quality on the items the chef cares "
                     "about most and show the saving on the full order guide.")
    else:
        parts.append(f"{competitor.name} prices like us: win on service — fill rate, on-time delivery, a named rep "
                     "and fast answers on shorts.")
    if competitor.weaknesses:
        parts.append("Press where they are weak: " + "; ".join(competitor.weaknesses) + ".")
    if competitor.strengths:
        parts.append("Do not fight them head-on where they are strong (" + "; ".join(competitor.strengths)
                     + "): bundle categories and sell the whole order instead.")
    return " ".join(parts)


def competitive_recommendations(analyses: tuple[CompetitorAnalysis, ...] | list[CompetitorAnalysis],
                                win_probability: int) -> tuple[str, ...]:
    """The seed's undefined generateCompetitiveRecommendations."""
    if not analyses:
        return ("No competitor recorded on this deal — ask the buyer who else is quoting and which distributor "
                "they use today.",)
    out: list[str] = []
    ranked = sorted(analyses, key=lambda a: (-a.threat.score, a.name))
    for analysis in ranked:
        if analysis.threat.level == "high":
            card = f" and bring the battlecard “{analysis.battlecards[0].title}”" if analysis.battlecards else ""
            out.append(f"High threat from {analysis.name} (score {analysis.threat.score:g}): involve your manager"
                       f"{card} to the next meeting.")
    cheaper = [a.name for a in ranked if pricing_points(a.pricing) == 2]
    if cheaper:
        out.append(f"{', '.join(cheaper)} {'is' if len(cheaper) == 1 else 'are'} cheaper per case — prepare a "
                   "landed-cost comparison before the proposal goes out.")
    if len(analyses) >= 2:
        out.append(f"{len(analyses)} distributors are bidding — ask for a tasting or a two-week trial on one category "
                   "to stand apart.")
    if win_probability < 40:
        out.append(f"Win probability is {win_probability}% — confirm the decision maker and the decision criteria "
                   "before investing in samples.")
    elif win_probability >= 70:
        out.append(f"Win probability is {win_probability}% — protect the lead: lock the start date and the first "
                   "delivery before a rival counters on price.")
    without_cards = [a.name for a in ranked if not a.battlecards]
    if without_cards:
        out.append(f"No battlecard for {', '.join(without_cards)} — write one after this deal, won or lost.")
    return tuple(out)


def analyze(competitor: Competitor, battlecards: list[Battlecard] | tuple[Battlecard, ...] = (),
            deal_notes: str = "") -> CompetitorAnalysis:
    return CompetitorAnalysis(
        competitor_id=competitor.id or 0, name=competitor.name, threat=threat_breakdown(competitor),
        strengths=tuple(competitor.strengths), weaknesses=tuple(competitor.weaknesses),
        pricing=competitor.pricing.value if isinstance(competitor.pricing, Pricing) else str(competitor.pricing),
        market_share=competitor.market_share, positioning=positioning_strategy(competitor),
        battlecards=tuple(battlecards), deal_notes=deal_notes,
    )


# -- services ---------------------------------------------------------------------------------


def analyze_competition(session: Session, opportunity_id: int) -> CompetitiveAnalysis:
    """Per-competitor threat, positioning and battlecards for a deal, with recommendations."""
    store = session.store
    opportunity = store.opportunities.require(opportunity_id)
    linked = store.insights.competitors_of(opportunity_id)
    cards = store.insights.battlecards_of([c.id for c, _ in linked])
    analyses = tuple(analyze(c, cards.get(c.id, []), notes) for c, notes in linked)
    analyses = tuple(sorted(analyses, key=lambda a: (-a.threat.score, a.name)))
    return CompetitiveAnalysis(
        opportunity_id=opportunity.id, opportunity_name=opportunity.name, competitors=analyses,
        recommendations=competitive_recommendations(analyses, opportunity.probability),
        win_probability=opportunity.probability,
    )

