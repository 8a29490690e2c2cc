"""What a manager does with leads: assign (one or many), flag with a reason, convert to a deal.

Each action is one unit of work (`session.write`): one transaction, audited, announced once after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.enums import AccountSize, AccountStatus, Industry, LeadStatus
from domain.errors import Refused, require_actor
from domain.permissions import check_assign, check_edit_owned
from domain.records import Account, Contact, Lead, Opportunity, StageChange
from domain.session import Session
from domain.unit_of_work import Change

LEAD_FIELDS = ("owner_id", "flagged", "flag_reason", "status", "converted_at", "converted_opportunity_id",
               "converted_account_id", "converted_contact_id", "first_response_at")


@dataclass(frozen=True)
class Conversion:
    lead: Lead
    opportunity: Opportunity
    account: Account
    contact: Contact
    account_created: bool


class LeadActions:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.store = session.store

    def _save(self, change: Change, before: Lead, changes: dict) -> Lead:
        after = self.store.leads.update(Lead.model_validate({**before.model_dump(), **changes}),
                                        fields=set(changes) | {"version"}, changed_by=self.session.actor_login)
        change.touch(lead={before.id})
        change.audit_update("lead", before.id, before, after, (c for c in changes if c != "owner_id"))
        if "owner_id" in changes and before.owner_id != after.owner_id:
            change.audit_owner("lead", before.id, before.owner_id, after.owner_id)
        return after

    def _check_edit(self, lead: Lead) -> None:
        """A rep changes their own leads, a manager their team's and the unassigned ones, an admin any."""
        actor = self.session.actor
        if lead.owner_id is None and actor.role.value in ("manager", "admin"):
            return
        check_edit_owned(actor, lead.owner_id, self.store, what=f"lead {lead.id}")

    def assign(self, lead_ids: list[int], login: str) -> int:
        """Give these leads to the user `login` (a rep or a manager); returns how many changed."""
        require_actor(self.session)
        actor = self.session.actor
        if actor.role.value == "rep":
            raise Refused(f"{actor.login} (rep) cannot assign leads: managers and admins assign them")
        owner = self.store.user_by_login(login)
        if owner is None or not owner.active:
            raise Refused(f"owner: no active user with login {login!r}")
        changed = set()
        with self.session.write() as change:  # announces the leads it changed, if any
            for lead_id in lead_ids:
                lead = self.store.leads.require(lead_id)
                # an unassigned lead is the manager's to hand out; an owned one moves only within the team
                check_assign(actor, lead.owner_id if lead.owner_id is not None else actor, owner, self.store,
                             what=f"lead {lead_id}")
                if lead.owner_id != owner.id:
                    self._save(change, lead, {"owner_id": owner.id})
                    changed.add(lead_id)
        return len(changed)

    def flag(self, lead_id: int, reason: str | None) -> Lead:
        """Flag with a reason (needed), or clear the flag with `reason=None`."""
        require_actor(self.session)
        with self.session.write({"lead"}, ids={"lead": {lead_id}}) as change:
            lead = self.store.leads.require(lead_id)
            self._check_edit(lead)
            if reason is None:
                saved = self._save(change, lead, {"flagged": False, "flag_reason": ""})
            else:
                if not reason.strip():
                    raise Refused("flag reason: required to flag a lead")
                saved = self._save(change, lead, {"flagged": True, "flag_reason": reason.strip()[:200]})
        return saved

    def convert(self, lead_id: int, *, opportunity_name: str, value_cents: int, account_name: str | None = None) -> Conversion:
        """Turn a lead into an opportunity in the first stage: link the account of that name (or create
        it from the lead's company), create the contact from the lead, record the stage history."""
        require_actor(self.session)
        now, today = self.session.clock.now(), self.session.clock.today()
        actor = self.session.actor
        first = self.session.pipeline.open_stages[0]
        with self.session.write({"lead", "opportunity", "account", "contact", "stage_change"}, ids={"lead": {lead_id}},
                                at=now) as change:
            lead = self.store.leads.require(lead_id)
            self._check_edit(lead)
            if lead.status is LeadStatus.CONVERTED:
                raise Refused(f"lead {lead_id} was already converted (opportunity {lead.converted_opportunity_id})")
            name = (account_name or lead.company or lead.name).strip()
            if not name:
                raise Refused("account: the lead has no company; give an account name")
            owner_id = lead.owner_id or actor.id
            matches = [a for a in self.store.accounts.find(name=name)]
            created = not matches
            account = matches[0] if matches else self.store.accounts.insert(Account(
                name=name, industry=Industry.OTHER, size=AccountSize.SMALL, status=AccountStatus.PROSPECT,
                owner_id=owner_id, created_at=now, updated_at=now,
            ))
            first_name, _, last_name = lead.name.partition(" ")
            contact = self.store.contacts.insert(Contact(
                account_id=account.id, first_name=first_name or lead.name, last_name=last_name, title=lead.title,
                email=lead.email, phone=lead.phone, created_at=now, updated_at=now,
            ))
            opportunity = self.store.opportunities.insert(Opportunity(
                name=opportunity_name, account_id=account.id, contact_id=contact.id, stage=first.id,
                probability=first.probability, value_cents=value_cents, started_on=today,
                expected_close_date=today + timedelta(days=sum(s.expected_days for s in self.session.pipeline.open_stages)),
                source=lead.source, owner_id=owner_id, forecast_category=first.forecast_category,
                stage_entered_at=now, created_at=now, updated_at=now, updated_by_id=actor.id,
            ))
            self.store.stage_changes.insert(StageChange(
                opportunity_id=opportunity.id, from_stage=None, to_stage=first.id, changed_at=now,
                changed_by_id=actor.id, value_cents=value_cents, probability=first.probability,
            ))
            change.touch(opportunity={opportunity.id})
            change.audit_create("opportunity", opportunity.id, f"converted from lead {lead.id}")
            saved = self._save(change, lead, {
                "status": LeadStatus.CONVERTED, "converted_at": now, "converted_opportunity_id": opportunity.id,
                "converted_account_id": account.id, "converted_contact_id": contact.id,
                "first_response_at": lead.first_response_at or now,
            })
        return Conversion(saved, opportunity, account, contact, created)
