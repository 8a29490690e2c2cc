"""The lead actions' forms — assign to a rep, flag with a reason, convert into a deal — shared by the
Leads list (on the marked leads or the one under the cursor) and the lead's detail screen.

A screen mixing this in gives `session` and `lead_changed(done)`, which it calls once an action is
saved; the actions run through `LeadActions` in a worker (a refusal is the app's failure notice).
"""

from __future__ import annotations

from functools import partial

from domain.filters import UserFilter
from domain.inputs import InputError, check_text
from domain.money import MoneyError, parse_cents
from domain.services.lead_actions import LeadActions
from tui.screens.form import Field, FormScreen


class LeadForms:
    def lead_changed(self, done: str) -> None:
        """After an action is saved (on the UI thread)."""
        self.app.notify(done, markup=False)

    def act(self, change, done: str) -> None:
        self.app.run_worker(partial(self._act, change, done), thread=True, group="lead-action",
                            name="Updating the leads", exit_on_error=False)

    def _act(self, change, done: str) -> None:
        """A refusal or a conflict is shown by the app's failure handler (tui/failures.py)."""
        with self.session.connection():
            change(LeadActions(self.session))
        self.app.call_from_thread(self.lead_changed, done)

    # -- assign -------------------------------------------------------------------------------------

    def assign_leads(self, targets: list[int]) -> None:
        if targets:
            self.app.run_worker(partial(self._open_assign_form, targets), thread=True, group="lead-action",
                                name="Loading the reps", exit_on_error=False)

    def _open_assign_form(self, targets: list[int]) -> None:
        with self.session.connection():
            users = self.session.users(UserFilter(roles=("rep", "manager"), active=True), 0, 500).items
        visible = self.session.visible_logins()  # a manager assigns within the team: offer only those
        users = [u for u in users if visible is None or u.login in visible]
        options = tuple((f"{u.display_name} ({u.login}) · {u.team}", u.login) for u in users)
        # no one chosen beforehand among several (it used to be the first in the list: the manager herself):
        # Enter alone changes nothing, the form asks who; a single possible answer is filled in
        only = options[0][1] if len(options) == 1 else ""
        fields = [Field("login", "Assign to", options=options, allow_blank=not only, value=only)]

        def validate(values):
            return (values["login"], {}) if values["login"] else (None, {"login": "choose who gets the leads"})

        def chosen(login: str | None) -> None:
            if login:
                self.act(lambda actions: actions.assign(targets, login), f"Assigned {len(targets)} lead(s) to {login}")

        title = f"Assign {len(targets)} lead(s)"
        self.app.call_from_thread(self.app.push_screen, FormScreen(title, fields, validate, submit_label="Assign"), chosen)

    # -- flag ---------------------------------------------------------------------------------------

    def flag_lead(self, lead_id: int, name: str, flagged: bool) -> None:
        if flagged:
            self.act(lambda actions: actions.flag(lead_id, None), "Flag cleared")
            return
        fields = [Field("reason", "Why does this lead need attention?", placeholder="e.g. hot: asked for a call today")]

        def validate(values):
            reason = values["reason"].strip()
            return (reason, {}) if reason else (None, {"reason": "required to flag a lead"})

        self.app.push_screen(FormScreen(f"Flag {name}", fields, validate, submit_label="Flag"),
                             lambda reason: reason and self.act(lambda actions: actions.flag(lead_id, reason), "Flagged"))

    # -- convert ------------------------------------------------------------------------------------

    def convert_lead(self, lead_id: int, name: str, company: str) -> None:
        fields = [
            Field("account", "Account (found by name, or created)", company),
            Field("name", "Opportunity name", f"{company or name} — new business"),
            Field("value", "Estimated value ($)", "0"),
        ]

        def validate(values):
            errors, result = {}, {}
            for field, key in (("account", "account_name"), ("name", "opportunity_name")):
                try:
                    result[key] = check_text(values[field], required=True)
                except InputError as error:
                    errors[field] = str(error)
            try:
                result["value_cents"] = parse_cents(values["value"] or "0")
            except MoneyError as error:
                errors["value"] = str(error)
            return (None if errors else result), errors

        def chosen(result: dict | None) -> None:
            if result:
                self.act(lambda actions: actions.convert(lead_id, **result), "Converted to an opportunity")

        self.app.push_screen(FormScreen(f"Convert {name}", fields, validate, submit_label="Convert"), chosen)
