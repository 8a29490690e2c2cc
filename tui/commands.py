"""Command palette: go to a screen, open an account or an opportunity by name, run an action."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from tui.widgets.nav_bar import SCREENS

NEW_RECORDS = (("opportunity", "deal"), ("account", "account"), ("contact", "contact"), ("lead", "lead"),
               ("task", "task"), ("proposal", "proposal"), ("competitor", "competitor"),
               ("interaction", "interaction"), ("product", "product"))


class ScreenCommands(Provider):
    def _commands(self):
        for mode, key, name in SCREENS:
            yield f"Go to {name}", partial(self.app.switch_mode, mode), f"key {key}"
        yield "Show keys", self.app.action_help, "key ?"
        yield "Toggle dark/light theme", self.app.action_toggle_dark, "ctrl+t"
        for entity, title in NEW_RECORDS:
            yield f"New {title}…", partial(self.app.new_record, entity), f"a form for a new {title}"
        yield "Undo my last change", self.app.action_undo, "ctrl+z"
        yield "Quotas", self.app.open_quotas, "each rep's month and quarter quota, won and attainment"

    async def discover(self) -> Hits:
        for title, run, help_text in self._commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, run, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)


def highlight(matcher, text: str) -> Content:
    """`matcher.highlight` without reading the text as markup (it would: a deal named "[@click=app.quit]…"
    would become a link)."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    for offset in offsets if score else ():
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def hit_detail(hit, pipeline) -> Content:
    """A hit's second line as literal text (the palette reads a plain string as markup), with an
    opportunity's stage by its name ("Closed won"), not its id ("closed_won")."""
    detail = hit.detail
    if hit.kind == "opportunity":
        detail = " · ".join(pipeline.stage(part).name if pipeline.has(part) else part for part in detail.split(" · "))
    return Content(detail)


class RecordCommands(Provider):
    """Accounts and opportunities by name (searched in the database, off the UI thread)."""

    async def search(self, query: str) -> Hits:
        query = query.strip()
        if len(query) < 2:
            return
        session = self.app.session  # type: ignore[attr-defined]

        def lookup():
            with session.connection():
                return session.search(query, limit=15)

        hits = await asyncio.to_thread(lookup)
        matcher = self.matcher(query)
        for hit in hits:
            title = f"{hit.kind.title()}: {hit.label}"
            score = matcher.match(hit.label) or 0.1
            yield Hit(score, highlight(matcher, title), partial(self.app.open_record, hit.kind, hit.id),
                      help=hit_detail(hit, session.pipeline))
