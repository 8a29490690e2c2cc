"""Where leads come from, and the rival distributors the team sells against."""

from __future__ import annotations

from dataclasses import dataclass

# (name, channel, yearly cost in cents or None when nobody tracks it, weight among deals and leads)
LEAD_SOURCES = (
    ("Web form", "inbound", None, 18),
    ("Trade show", "events", 4_850_000, 15),
    ("Referral", "word of mouth", None, 20),
    ("Cold call", "outbound", None, 17),
    ("Partner", "partner", 1_200_000, 8),
    ("Email campaign", "marketing", 360_000, 14),
    ("Social", "marketing", 640_000, 8),
)


@dataclass(frozen=True)
class Rival:
    name: str
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]
    pricing: str
    market_share: float
    website: str
    battlecards: tuple[tuple[str, str], ...]


COMPETITORS = (
    Rival(
        "Harvest Lane Foods",
        ("National buying power", "Broad private-label range", "Online ordering app"),
        ("Rotating reps, little chef contact", "Frequent substitutions on produce", "Minimum drop sizes"),
        "lower",
        0.22,
        "harvestlanefoods.example",
        (
            ("Beating Harvest Lane on service",
             "Lead with a named rep and a 2-hour order-issue callback. Ask the chef how many reps they had "
             "last year. Offer a two-week trial on produce with no minimum drop."),
            ("When they undercut on price",
             "Their low case price excludes fuel surcharges and split-case fees. Build a landed-cost comparison "
             "on the customer's own last three invoices."),
        ),
    ),
    Rival(
        "Great Plains Provisions",
        ("Strong center-of-plate program", "Own cutting facility", "Reliable on-time delivery"),
        ("Thin produce assortment", "Slow to onboard new items", "No compostable disposables"),
        "competitive",
        0.16,
        "greatplainsprovisions.example",
        (
            ("Proteins: where they are strong",
             "Do not fight them on commodity chicken. Bundle proteins with produce and disposables and show "
             "the consolidated-delivery saving."),
            ("Sustainability angle",
             "Their packaging line is all foam and plastic. Our compostable clamshells meet the new city "
             "ordinances that many of their accounts face."),
            ("Objection: 'we have always used them'",
             "Ask for one category only (produce or disposables) as a second-supplier trial."),
        ),
    ),
    Rival(
        "Coastal Fresh Distributors",
        ("Best-in-class seafood", "Daily produce deliveries", "Chef-driven sales team"),
        ("Premium pricing", "Limited inland coverage", "No equipment or smallwares"),
        "higher",
        0.09,
        "coastalfresh.example",
        (
            ("Positioning against Coastal Fresh",
             "Match their quality on the top ten produce items and win on price for everything else. "
             "Offer six-day delivery where our routes allow."),
            ("Landed cost",
             "Coastal's seafood is great, but ask for a cost-per-plate comparison on the full order guide."),
        ),
    ),
    Rival(
        "Metro Restaurant Supply",
        ("Huge equipment showroom", "Financing on equipment", "Same-day smallwares"),
        ("Weak perishables program", "Cash-and-carry mindset", "Little institutional experience"),
        "competitive",
        0.11,
        "metrorestaurantsupply.example",
        (
            ("Equipment deals",
             "Pair equipment with a 12-month consumables agreement; Metro cannot bundle perishables."),
            ("Installation and service",
             "Our service partner network covers the region with 48-hour response; Metro subcontracts."),
        ),
    ),
    Rival(
        "Blue Ribbon Dairy Co-op",
        ("Farmer-owned, local story", "Excellent dairy freshness", "School milk bid experience"),
        ("Dairy only", "Inflexible delivery windows", "Manual ordering by phone and fax"),
        "lower",
        0.06,
        "blueribbondairy.example",
        (
            ("School milk bids",
             "They win on price per carton. Win on the full meal program: produce, dairy and disposables on "
             "one truck, USDA Foods processing handled."),
            ("Ordering friction",
             "Demo our online order guide; their customers still phone orders in by 2 pm."),
        ),
    ),
    Rival(
        "Summit Foodservice Partners",
        ("Group purchasing contracts", "Strong in healthcare and senior living", "Dietitian support"),
        ("Long contracts with auto-renewal", "Limited menu innovation", "Slow issue resolution"),
        "competitive",
        0.13,
        "summitfoodservice.example",
        (
            ("Healthcare accounts",
             "Summit relies on GPO contract pricing. Check GPO tier compliance; many accounts overpay "
             "off-contract items by 8-12%."),
            ("Contract timing",
             "Find the auto-renewal date early. Start conversations 120 days before it."),
        ),
    ),
    Rival(
        "Keystone Kitchen Supply",
        ("Regional family business", "Flexible credit terms", "Long-tenured drivers"),
        ("Small catalogue", "No online ordering", "Aging fleet, late deliveries in winter"),
        "higher",
        0.04,
        "keystonekitchen.example",
        (
            ("Loyalty to the family business",
             "Do not knock them. Position as the second supplier for categories they cannot cover."),
            ("Reliability",
             "Show our on-time delivery record for the last four quarters."),
        ),
    ),
)

LOST_REASONS = (
    ("price", 30),
    ("competitor", 25),
    ("no decision", 15),
    ("timing", 12),
    ("product fit", 8),
    ("budget", 6),
    ("delivery coverage", 4),
)
