"""Tasks: open work by due date, overdue marked."""

from __future__ import annotations

from textual import work
from textual.binding import Binding

from domain.filter_syntax import OWNER_AND_STATUS
from domain.filters import TaskFilter
from domain.services.task_actions import set_task_done
from domain.views import TaskItem
from tui.format import day, label
from tui.screens.list_base import ListScreen
from tui.widgets.paged_table import Column


class TasksScreen(ListScreen):
    BINDINGS = [Binding("x", "done", "Done", id="tasks.done"), Binding("i", "inbox", "Inbox", id="tasks.inbox")]
    MODE = "tasks"
    ENTITY = "task"
    TITLE_TEXT = "Tasks"
    KINDS = frozenset({"task"})
    DEFAULT_SORT = "due"
    PLACEHOLDER = "text, @assignee, status:done …  (/, M: mine)"
    FILTER_WORDS = OWNER_AND_STATUS

    def columns(self) -> list[Column]:
        today = self.session.clock.today()

        def due_style(t: TaskItem) -> str | None:
            if t.status == "open" and t.due_on is not None:
                if t.due_on < today:
                    return "warning"
                if t.due_on == today:
                    return "good"
            return None

        return [
            Column("due", "Due", 10, lambda t: day(t.due_on), style=due_style),
            Column("priority", "Priority", 8, lambda t: label(t.priority)),
            Column("title", "Task", 24, lambda t: t.title, flex=2),
            Column("related", "Related to", 16, lambda t: t.related or "—", sortable=False, flex=1),
            Column("assignee", "Assignee", 10, lambda t: t.assignee_login, hide_below=90),
            Column("status", "Status", 9, lambda t: label(t.status), hide_below=110),
            Column("origin", "Origin", 12, lambda t: "automation" if t.created_by_automation else "person", sortable=False, hide_below=120),
        ]

    def build_filter(self, p):
        return TaskFilter(text=p.text, assignees=tuple(p.owners), statuses=tuple(p.statuses or ["open"]))

    def fetch(self, offset: int, limit: int):
        flt = self.active_filter.model_copy(update={"sort": self.sort_key, "descending": self.descending})
        return self.session.tasks(flt, offset, limit)

    def open_item(self, item: TaskItem) -> None:
        if item.opportunity_id is not None:
            from tui.screens.opportunity_detail import OpportunityDetailScreen

            self.app.push_screen(OpportunityDetailScreen(item.opportunity_id))
        elif item.account_id is not None:
            from tui.screens.account_detail import AccountDetailScreen

            self.app.push_screen(AccountDetailScreen(item.account_id))
        elif item.lead_id is not None:
            from tui.screens.lead_detail import LeadDetailScreen

            self.app.push_screen(LeadDetailScreen(item.lead_id))
        else:
            self.notify("This task is not linked to a deal, an account or a lead.", severity="information")

    def action_inbox(self) -> None:
        from tui.screens.inbox import InboxScreen

        self.app.push_screen(InboxScreen())

    def action_done(self) -> None:
        item = self.table.current_item
        if item is not None:
            self.complete(item.id, item.title)

    @work(thread=True, group="task-action", name="Updating the task", exit_on_error=False)
    def complete(self, task_id: int, title: str) -> None:
        """A refusal or a conflict is shown by the app's failure handler (tui/failures.py)."""
        with self.session.connection():
            set_task_done(self.session, task_id)
        self.app.call_from_thread(self.app.notify, f"Done: {title}", markup=False)
        self.app.call_from_thread(self.reload, True)
