"""One account: profile, health, interaction insights, hierarchy, locations, contacts, team, contracts,
opportunities (new business or expansion), activity and its audit trail."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from domain.services.account_health import account_health
from domain.services.details import AccountDetail, account_detail
from domain.services.interactions import interaction_insights
from tui.format import day, label, money
from tui.screens.detail_base import DetailScreen
from tui.widgets.insights import interaction_parts
from tui.widgets.tables import changes_table, facts, rows


class AccountDetailScreen(DetailScreen):
    BINDINGS = [
        Binding("n", "new_deal", "New deal", id="account.new-deal"),
        Binding("C", "new_contact", "New contact", id="account.new-contact"),
        Binding("i", "log_interaction", "Log interaction", id="account.log"),
        Binding("tab", "links", "Contacts and deals", id="account.links"),
    ]
    ENTITY = "account"

    def record_id(self) -> int | None:
        return self.account_id

    def action_new_deal(self) -> None:
        self.new_here("opportunity", "account")

    def action_new_contact(self) -> None:
        self.new_here("contact", "account")

    def action_log_interaction(self) -> None:
        self.new_here("interaction", "account")
    def __init__(self, account_id: int) -> None:
        super().__init__()
        self.account_id = account_id

    def compose_links(self) -> ComposeResult:
        yield Static(Text("Contacts and opportunities (Tab, then Enter opens one)", style="bold"),
                     id="links-title")
        yield OptionList(id="links")

    def action_links(self) -> None:
        self.query_one("#links", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        kind, _, record_id = (event.option.id or "").partition(":")
        if kind == "opportunity":
            self.app.open_record("opportunity", int(record_id))
        elif kind == "contact":
            from tui.screens.contact_detail import ContactDetailScreen

            self.app.push_screen(ContactDetailScreen(int(record_id)))

    @work(thread=True, exclusive=True, group="account-detail", name="Loading the account", exit_on_error=False)
    def load(self) -> None:
        try:
            with self.session.connection():
                detail = account_detail(self.session, self.account_id)
                health = account_health(self.session, self.account_id)
                # every interaction with the account, as its health score counts them (the two panels
                # show one figure); the account's own page, which the user may see
                insights = interaction_insights(self.session, self.account_id,
                                                subject="interactions with this account")
        except Exception as error:
            self.app.call_from_thread(self.show_refusal, error)
            return
        self.app.call_from_thread(self.show, detail, health, insights)

    def show(self, d: AccountDetail, health=None, insights=None) -> None:
        self.record_name = d.account.name
        a = d.account
        self.sub_title = f"Account #{a.id}"
        address = ", ".join(x for x in (a.hq_street, a.hq_city, a.hq_region, a.hq_postal_code, a.hq_country) if x)
        contacts_by_id = {c.id: c for c in d.contacts}
        profile = facts([
            ("Segment", label(a.industry.value)),
            ("Size", label(a.size.value)),
            ("Tier · status", f"{label(a.tier.value)} · {label(a.status.value)}"),
            ("Owner", f"{d.owner.display_name} ({d.owner.login})" if d.owner else "—"),
            ("Annual revenue", money(a.annual_revenue_cents)),
            ("Headquarters", address or "—"),
            ("Parent account", d.parent.name if d.parent else "—"),
            ("Subsidiaries", ", ".join(s.name for s in d.subsidiaries) or "—"),
            ("Renewal", day(a.renewal_date)),
            ("Last activity", day(a.last_activity_at)),
            # the score the health panel below computes now (the stored one may be from the last refresh)
            ("Health score", str(health.health_score) if health is not None
             else "—" if a.health_score is None else str(a.health_score)),
        ])
        locations = rows(["Location", "City", "Region", "Country"], [(x.name, x.city, x.region, x.country) for x in d.locations], title="Locations")
        contacts = rows(
            ["Contact", "Title", "Buying role", "Reports to", "E-mail"],
            [(c.full_name, c.title, label(c.buying_role.value if c.buying_role else None),
              contacts_by_id[c.reports_to_id].full_name if c.reports_to_id in contacts_by_id else "—", c.email or "—")
             for c in d.contacts],
            title="Contacts",
        )
        team = rows(
            ["Member", "Role", "Primary", "From", "Until"],
            [(d.user_logins.get(m.user_id, "?"), label(m.role.value), "yes" if m.is_primary else "", day(m.start_date), day(m.end_date)) for m in d.team],
            title="Account team",
        )
        contracts = rows(
            ["Contract", "Value", "Start", "End", "Status"],
            [(c.number or f"#{c.id}", money(c.value_cents), day(c.start_date), day(c.end_date), label(c.status.value)) for c in d.contracts],
            right=(1,), title="Contracts",
        )
        open_ids = {s.id for s in self.session.pipeline.open_stages}
        open_expansion = [o for o in d.opportunities if d.is_expansion(o) and o.stage in open_ids]
        opportunities = rows(
            ["Opportunity", "Type", "Stage", "Value", "Close", "Owner"],
            [(o.name, "Expansion" if d.is_expansion(o) else "New business", label(o.stage), money(o.value_cents),
              day(o.actual_close_date or o.expected_close_date), d.user_logins.get(o.owner_id, "?"))
             for o in d.opportunities],
            right=(3,), title=f"Opportunities · open expansion: {len(open_expansion)} deals, "
                              f"{money(sum(o.value_cents for o in open_expansion))}",
        )
        activity = rows(
            ["When", "Kind", "Subject", "Sentiment"],
            [(day(x.created_at), label(x.kind.value), x.subject, "—" if x.sentiment is None else f"{x.sentiment:+.2f}") for x in d.recent_activities],
            title="Recent activity",
        )
        parts = [Text(a.name, style="bold"), profile]
        if health is not None:
            parts.append(rows(
                ["Health factor", "Score", "Impact", "Based on"],
                [(f.name, f"{f.score}/25", str(f.impact), f.detail) for f in health.factors]
                + [("Health score", f"{health.health_score}/100", f"{health.risk_level} risk", "")],
                right=(1,), title="Account health", wrap=(3,),
            ))
            parts.append(Text("\n".join("• " + r for r in health.recommendations)))
        if insights is not None:
            parts += interaction_parts(insights)
        parts += [locations, contacts, team, contracts, opportunities, activity, changes_table(d.changes)]
        self.query_one("#detail-body", Static).update(Group(*parts))
        links = self.query_one("#links", OptionList)
        highlighted = links.highlighted
        links.clear_options()
        contact_options = [
            Option(Text(f"Contact · {c.full_name}" + (f" · {c.title}" if c.title else ""), no_wrap=True,
                        overflow="ellipsis"), id=f"contact:{c.id}") for c in d.contacts]
        deal_options = [
            Option(Text(f"Opportunity · {o.name} · {label(o.stage)} · {money(o.value_cents)}", no_wrap=True,
                        overflow="ellipsis"), id=f"opportunity:{o.id}") for o in d.opportunities]
        links.add_options(contact_options + deal_options)  # the people first: fewer, and who to call
        if links.option_count:
            links.highlighted = min(highlighted or 0, links.option_count - 1)
