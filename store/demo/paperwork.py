"""Proposals sent during deals, and documents attached to deals and accounts.

Every deal that reached negotiation sent a proposal while it was in the proposal stage;
statuses follow the deal (accepted when won, rejected or expired when lost, sent while open).
"""

from __future__ import annotations

import random

from store.demo.catalog import PRODUCTS
from store.demo.chance import Weighted, chance, log_span, one, span, uniform
from store.demo.deals import Deal
from store.demo.names import slug
from store.demo.phrases import PROPOSAL_NOTES
from store.demo.timeline import DAY, HOUR, MINUTE, Timeline

PROPOSAL_COLUMNS = ("id", "number", "opportunity_id", "title", "amount_cents", "status", "sent_at", "decided_at",
                    "valid_until", "notes", "created_by_id", "created_at", "version")
DOCUMENT_COLUMNS = ("id", "opportunity_id", "account_id", "name", "kind", "uri", "size_bytes", "created_by_id",
                    "created_at")
FILES = "https://files.pantryfoods.example"

_LOST_AT_PROPOSAL = Weighted((("rejected", 50), ("expired", 20), ("withdrawn", 15), ("draft", 15)))
_VALIDITY_DAYS = (30, 45, 60, 90)
_EQUIPMENT = frozenset(pid for pid, p in enumerate(PRODUCTS, start=1) if p.category == "kitchen equipment")


class Proposal:
    __slots__ = ("id", "number", "deal", "title", "amount", "status", "created_ts", "sent_ts", "decided_ts",
                 "valid_day", "notes", "version")

    def __init__(self, deal: Deal, created_ts: int, amount: int, revised: bool = False) -> None:
        self.deal = deal
        self.created_ts = created_ts
        self.amount = amount
        self.title = f"{deal.program[:1].upper()}{deal.program[1:]} proposal — {deal.account.name[:120]}"
        if revised:
            self.title += " (revised)"
        self.status = "draft"
        self.sent_ts = None
        self.decided_ts = None
        self.valid_day = None


def make_proposals(rng: random.Random, timeline: Timeline, deals: list[Deal]) -> list[Proposal]:
    rnd = rng.random
    proposals: list[Proposal] = []
    for d in deals:
        if d.reached < 2:
            continue
        t_open = d.times[2]
        # When the proposal stage ended: negotiation, the loss, or (still open) now.
        t_end = d.times[3] if len(d.times) > 3 else d.window_end
        room = max(0, t_end - t_open)
        made: list[Proposal] = []
        at = timeline.between
        if d.reached >= 3 and chance(rnd, 0.1):
            # A first version that was withdrawn or turned down, then a revised one.
            first = Proposal(d, at(rnd, t_open + room // 50, t_open + room // 8), _inflated(rnd, d.value))
            _send(rnd, timeline, first, first.created_ts, t_open + room // 4)
            first.status = "withdrawn" if chance(rnd, 0.5) else "rejected"
            first.decided_ts = at(rnd, first.sent_ts + 30 * MINUTE, t_open + room * 2 // 5)
            made.append(first)
            created = at(rnd, first.decided_ts + 30 * MINUTE, t_open + room // 2)
            final = Proposal(d, created, d.value, revised=True)
        else:
            created = at(rnd, t_open + room // 20, t_open + room * 2 // 5)
            final = Proposal(d, created, d.value if d.reached >= 3 else _inflated(rnd, d.value))
        made.append(final)
        if d.reached >= 3:
            _send(rnd, timeline, final, final.created_ts, t_end - 30 * MINUTE)
            if d.outcome == "won":
                final.status, final.decided_ts = "accepted", d.times[-1]
                final.valid_day = max(final.valid_day, d.close_day)  # accepted while still valid
            elif d.outcome == "lost":
                if chance(rnd, 0.2) and final.valid_day < timeline.today_day:
                    final.status = "expired"
                else:
                    final.status, final.decided_ts = "rejected", d.times[-1]
            else:
                final.status = "sent" if final.valid_day >= timeline.today_day else "expired"
        elif d.outcome == "lost":
            status = d.variant or _LOST_AT_PROPOSAL.pick(rnd)
            if status != "draft":
                _send(rnd, timeline, final, final.created_ts, t_end - 30 * MINUTE)
                if status == "expired":
                    final.valid_day = min(final.valid_day, d.close_day)
                    if final.valid_day >= timeline.today_day:
                        status = "rejected"
                if status in ("rejected", "withdrawn"):
                    final.decided_ts = d.times[-1]
            final.status = status
        else:
            status = d.variant or ("sent" if chance(rnd, 0.65) else "draft")
            if status == "sent" and t_end - final.created_ts >= HOUR:
                _send(rnd, timeline, final, final.created_ts, t_end - 30 * MINUTE)
                if final.valid_day < timeline.today_day:
                    status = "expired"
            else:
                status = "draft"  # only just written: not sent yet
            final.status = status
        for p in made:
            days = p.valid_day - p.sent_ts // DAY if p.sent_ts is not None else one(rnd, _VALIDITY_DAYS)
            p.notes = one(rnd, PROPOSAL_NOTES).format(days=days, drops=span(rnd, 2, 6))
            p.version = 1 + (p.sent_ts is not None) + (p.decided_ts is not None)
        d.proposals = made
        proposals.extend(made)
    proposals.sort(key=lambda p: (p.created_ts, p.deal.id))
    per_year: dict[int, int] = {}
    for index, p in enumerate(proposals, start=1):
        p.id = index
        year = timeline.to_date(p.created_ts // DAY).year
        per_year[year] = per_year.get(year, 0) + 1
        p.number = f"P-{year}-{per_year[year]:05d}"
    return proposals


def _inflated(rnd, value: int) -> int:
    return round(value * uniform(rnd, 1.03, 1.15) / 100) * 100


def _send(rnd, timeline: Timeline, p: Proposal, after: int, before: int) -> None:
    """Sent at some business-hours moment between its creation and `before` (never in the future)."""
    lo = after + 20 * MINUTE
    hi = max(lo, min(before, timeline.now - 20 * MINUTE))
    p.sent_ts = timeline.between(rnd, lo, lo + int((hi - lo) * uniform(rnd, 0.1, 0.7)))
    p.valid_day = p.sent_ts // DAY + one(rnd, _VALIDITY_DAYS)


def proposal_rows(proposals: list[Proposal], timeline: Timeline):
    ts, tsn, dsn = timeline.ts, timeline.ts_or_none, timeline.ds_or_none
    for p in proposals:
        yield (p.id, p.number, p.deal.id, p.title, p.amount, p.status, tsn(p.sent_ts), tsn(p.decided_ts),
               dsn(p.valid_day), p.notes, p.deal.owner_id, ts(p.created_ts), p.version)


def make_documents(rng: random.Random, timeline: Timeline, deals: list[Deal], contracts: list[tuple],
                   accounts_by_id: dict) -> list[tuple]:
    """Price sheets, spec sheets, proposal PDFs and signed agreements. Rows with times as ints."""
    rnd = rng.random
    now = timeline.now
    rows: list[tuple] = []

    def add(deal_id, account_id, name, kind, folder, owner_id, when):
        stem, extension = name.rsplit(".", 1)
        uri = f"{FILES}/{folder}/{slug(stem)[:80] or 'document'}.{extension}"
        size = int(log_span(rnd, 40_000, 4_000_000))
        rows.append((len(rows) + 1, deal_id, account_id, name, kind, uri, size, owner_id, min(when, now - MINUTE)))

    for d in deals:
        folder = f"opportunities/{d.id}"
        a = d.account
        if chance(rnd, 0.15):
            when = d.times[min(1, len(d.times) - 1)] + span(rnd, 1, 48) * HOUR
            label = timeline.to_date(when // DAY)
            add(d.id, a.id, f"{d.category.capitalize()} price sheet {label:%b %Y}.xlsx", "price_sheet", folder,
                d.owner_id, min(when, d.window_end))
        for p in d.proposals:
            if p.sent_ts is not None and chance(rnd, 0.3):
                add(d.id, a.id, f"{p.number}.pdf", "proposal", folder, d.owner_id, p.sent_ts)
        machines = [line[1] for line in d.lines if line[0] in _EQUIPMENT]
        if machines and chance(rnd, 0.5):
            name = machines[0]
            add(d.id, a.id, f"{name} spec sheet.pdf", "spec_sheet", folder, d.owner_id,
                d.times[0] + int((d.window_end - d.times[0]) * rnd()))
        if d.outcome == "won" and chance(rnd, 0.45):
            add(d.id, a.id, f"Supply agreement — {a.name[:120]}.pdf", "contract", folder, d.owner_id,
                d.times[-1] + span(rnd, 1, 8) * HOUR)
        if chance(rnd, 0.04):
            add(d.id, a.id, "Capabilities overview.pptx", "presentation", folder, d.owner_id,
                d.times[0] + span(rnd, 1, 72) * HOUR)
        elif chance(rnd, 0.03):
            add(d.id, a.id, "Kitchen and storage photos.zip", "other", folder, d.owner_id,
                d.times[0] + span(rnd, 1, 200) * HOUR)
    for _cid, account_id, number, _value, start_day, _end, status, _auto in contracts:
        if status == "pending" or not chance(rnd, 0.35):
            continue
        a = accounts_by_id[account_id]
        when = max(a.created_ts, (start_day - span(rnd, 1, 10)) * DAY + 15 * HOUR)
        add(None, account_id, f"{number} signed.pdf", "contract", f"accounts/{account_id}", a.owner_id, when)
    return rows


def document_rows(rows: list[tuple], timeline: Timeline):
    ts = timeline.ts
    for r in rows:
        yield r[:8] + (ts(r[8]),)
