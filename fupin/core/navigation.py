"""The side menu. An entry shows only when its app is installed and the access policy lets the user open
its page (core/access.py: the same table that answers 403/404), so that the menu never offers a page the
user would be refused, and modules not built yet are hidden rather than dead links."""

from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import access
from .access import Action


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    app: str
    action: Action | None = None  # an entry for those who take this action (the page itself may be wider)
    staff_only: bool = False

    def visible_to(self, user) -> bool:
        if not apps.is_installed(f"fupin.{self.app}"):
            return False
        if self.staff_only and not user.is_staff:
            return False
        if self.action is not None and not access.may(user, self.action):
            return False
        return access.allows(user, reverse(self.url_name))


# Order follows DESIGN.md §2. Later modules add their entries here when they land.
MENU: list[tuple[str, list[MenuEntry]]] = [
    (
        _("Overview"),
        [
            MenuEntry(_("Home"), "home", "core"),
            MenuEntry(_("To-do"), "warnings:inbox", "warnings"),
            MenuEntry(_("Dashboards"), "insights:dashboard", "insights"),
            MenuEntry(_("Big screen"), "insights:screen", "insights"),
            MenuEntry(_("Regions"), "region-tree", "core"),
        ],
    ),
    (
        _("Household registry"),
        [
            MenuEntry(_("Households"), "registry:households", "registry"),
            MenuEntry(_("New application"), "registry:household-create", "registry"),
            MenuEntry(_("Not visited this month"), "registry:not-visited", "registry"),
            MenuEntry(_("Field visits, offline"), "field:app", "field", Action.VISIT),
            MenuEntry(_("Monitoring"), "registry:monitoring", "registry"),
            MenuEntry(_("Changes to approve"), "registry:changes", "registry", Action.APPROVE_REGISTRY),
            MenuEntry(_("Likely duplicates"), "registry:duplicates", "registry"),
            MenuEntry(_("Import"), "registry:import", "registry"),
        ],
    ),
    (
        _("Tracking results"),
        [
            MenuEntry(_("Risk warnings"), "warnings:list", "warnings"),
            MenuEntry(_("Problem ledger"), "supervision:problems", "supervision"),
            MenuEntry(_("Report a problem"), "supervision:problem-create", "supervision"),
            MenuEntry(_("Ledger statistics"), "supervision:statistics", "supervision"),
            MenuEntry(_("Inspection campaigns"), "supervision:campaigns", "supervision"),
            MenuEntry(_("Grids and duty"), "supervision:grids", "supervision"),
            MenuEntry(_("Assessment"), "supervision:assessment", "supervision"),
            MenuEntry(_("Complaints"), "supervision:complaints", "supervision"),
        ],
    ),
    (
        _("Project library"),
        [
            MenuEntry(_("Projects"), "projects:list", "projects"),
            MenuEntry(_("New project"), "projects:new", "projects"),
            MenuEntry(_("Expert reviews"), "projects:reviews", "projects"),
            MenuEntry(_("Library statistics"), "projects:statistics", "projects"),
        ],
    ),
    (
        _("Special funds"),
        [
            MenuEntry(_("Funds and balances"), "funds:overview", "funds"),
        ],
    ),
    (
        _("Benefits"),
        [
            MenuEntry(_("Benefit summary"), "benefits:summary", "benefits"),
            MenuEntry(_("Income ledger"), "benefits:ledger", "benefits"),
            MenuEntry(_("Dividend distribution"), "benefits:plans", "benefits"),
            MenuEntry(_("Employment linkage"), "employment:employment", "employment"),
            MenuEntry(_("Poverty-alleviation workshops"), "employment:workshops", "employment"),
            MenuEntry(_("Poverty-alleviation posts"), "employment:posts", "employment"),
            MenuEntry(_("Matching jobs to people"), "employment:matching", "employment"),
        ],
    ),
    (
        _("Public disclosure"),
        [
            MenuEntry(_("Project notices"), "projects:public", "projects"),
            MenuEntry(_("Fund allocation results"), "funds:public", "funds"),
        ],
    ),
    (
        _("Oversight"),
        [
            MenuEntry(_("Audit log"), "audit-log", "core"),
            MenuEntry(_("Audit chain check"), "audit-verify", "core"),
        ],
    ),
    (
        _("Clean-governance lectures"),
        [
            MenuEntry(_("Lecture requests"), "lecture-requests", "lectures"),
            MenuEntry(_("Lecture team"), "lecturers", "lectures"),
            MenuEntry(_("Topic catalogue"), "lecture-topics", "lectures"),
            MenuEntry(_("Team lecture tours"), "lecture-tours", "lectures"),
            MenuEntry(_("Lesson drafts"), "lecture-drafts", "lectures"),
            MenuEntry(_("My lecture feedback"), "lecture-my-feedback", "lectures"),
            MenuEntry(_("Lecture statistics"), "lecture-statistics", "lectures"),
        ],
    ),
    (
        _("Settings"),
        [
            MenuEntry(_("Working-day calendar"), "calendar", "core"),
            MenuEntry(_("Policy settings"), "policy", "core"),
            MenuEntry(_("API tokens"), "tokens", "core"),
            MenuEntry(_("Configuration (admin)"), "admin:index", "core", staff_only=True),
        ],
    ),
]


def menu_for(user, current_path: str = "") -> list[dict]:
    sections = []
    for title, entries in MENU:
        items = []
        for entry in entries:
            if entry.visible_to(user):
                url = reverse(entry.url_name)
                active = current_path == url or (url != "/" and current_path.startswith(url))
                items.append({"label": entry.label, "url": url, "active": active})
        if items:
            sections.append({"title": title, "items": items})
    return sections
