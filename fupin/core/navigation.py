"""The side menu. An entry shows only when its app is installed and the user holds one of its roles,
so that modules not built yet are hidden rather than dead links."""

from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .enums import Role

EVERYONE = None


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    app: str
    roles: tuple[str, ...] | None = EVERYONE
    staff_only: bool = False

    def visible_to(self, user) -> bool:
        if not apps.is_installed(f"fupin.{self.app}"):
            return False
        if self.staff_only and not user.is_staff:
            return False
        return self.roles is EVERYONE or user.has_role(*self.roles)


OVERSIGHT = (Role.COUNTY_ADMIN, Role.INSPECTOR)
OFFICERS = (Role.COUNTY_ADMIN, Role.TOWN_OFFICER)
URBAN = (Role.COUNTY_ADMIN, Role.DISPATCHER, Role.GRID_STAFF, Role.INSPECTOR)
REPORTERS = (Role.COUNTY_ADMIN, Role.INSPECTOR, Role.DISPATCHER, Role.GRID_STAFF, Role.TOWN_OFFICER)
VILLAGE_UP = (Role.COUNTY_ADMIN, Role.TOWN_OFFICER, Role.VILLAGE_CADRE)
LECTURES = (Role.LECTURE_ADMIN, Role.LECTURER, Role.REQUESTER, *OVERSIGHT)
BENEFIT_READERS = (*VILLAGE_UP, Role.FINANCE, Role.INSPECTOR)
LESSON_DRAFTS = (Role.LECTURE_ADMIN, Role.LECTURER, *OVERSIGHT)

# Order follows DESIGN.md §2. Later modules add their entries here when they land.
MENU: list[tuple[str, list[MenuEntry]]] = [
    (
        _("Overview"),
        [
            MenuEntry(_("Home"), "home", "core"),
            MenuEntry(_("Regions"), "region-tree", "core"),
        ],
    ),
    (
        _("Household registry"),
        [
            MenuEntry(_("Households"), "registry:households", "registry"),
            MenuEntry(_("New application"), "registry:household-create", "registry", VILLAGE_UP),
            MenuEntry(_("Not visited this month"), "registry:not-visited", "registry"),
            MenuEntry(_("Monitoring"), "registry:monitoring", "registry"),
            MenuEntry(_("Changes to approve"), "registry:changes", "registry", OFFICERS),
            MenuEntry(_("Likely duplicates"), "registry:duplicates", "registry", (*OFFICERS, Role.INSPECTOR)),
            MenuEntry(_("Import"), "registry:import", "registry", OFFICERS),
        ],
    ),
    (
        _("Tracking results"),
        [
            MenuEntry(_("Problem ledger"), "supervision:problems", "supervision"),
            MenuEntry(_("Report a problem"), "supervision:problem-create", "supervision", REPORTERS),
            MenuEntry(_("Ledger statistics"), "supervision:statistics", "supervision"),
            MenuEntry(_("Inspection campaigns"), "supervision:campaigns", "supervision", OVERSIGHT),
            MenuEntry(_("Grids and duty"), "supervision:grids", "supervision", URBAN),
            MenuEntry(_("Assessment"), "supervision:assessment", "supervision", URBAN),
            MenuEntry(
                _("Complaints"), "supervision:complaints", "supervision", (*OVERSIGHT, Role.DISPATCHER)
            ),
        ],
    ),
    (
        _("Project library"),
        [
            MenuEntry(_("Projects"), "projects:list", "projects", (*OFFICERS, Role.INSPECTOR, Role.FINANCE)),
            MenuEntry(_("New project"), "projects:new", "projects", OFFICERS),
            MenuEntry(_("Expert reviews"), "projects:reviews", "projects", (Role.EXPERT, *OVERSIGHT)),
            MenuEntry(
                _("Library statistics"), "projects:statistics", "projects", (*OFFICERS, Role.INSPECTOR)
            ),
        ],
    ),
    (
        _("Special funds"),
        [
            MenuEntry(
                _("Funds and balances"), "funds:overview", "funds", (*OFFICERS, Role.FINANCE, Role.INSPECTOR)
            ),
        ],
    ),
    (
        _("Benefits"),
        [
            MenuEntry(
                _("Benefit summary"),
                "benefits:summary",
                "benefits",
                (*OFFICERS, Role.FINANCE, Role.INSPECTOR),
            ),
            MenuEntry(
                _("Income ledger"), "benefits:ledger", "benefits", (*OFFICERS, Role.FINANCE, Role.INSPECTOR)
            ),
            MenuEntry(
                _("Dividend distribution"),
                "benefits:plans",
                "benefits",
                (*OFFICERS, Role.FINANCE, Role.INSPECTOR),
            ),
            MenuEntry(
                _("Employment linkage"),
                "benefits:employment",
                "benefits",
                (*OFFICERS, Role.FINANCE, Role.INSPECTOR),
            ),
            MenuEntry(_("Poverty-alleviation workshops"), "benefits:workshops", "benefits", BENEFIT_READERS),
            MenuEntry(_("Poverty-alleviation posts"), "benefits:posts", "benefits", BENEFIT_READERS),
            MenuEntry(
                _("Matching jobs to people"), "benefits:matching", "benefits", (*VILLAGE_UP, Role.INSPECTOR)
            ),
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
            MenuEntry(_("Audit log"), "audit-log", "core", OVERSIGHT),
            MenuEntry(_("Audit chain check"), "audit-verify", "core", OVERSIGHT),
        ],
    ),
    (
        _("Clean-governance lectures"),
        [
            MenuEntry(_("Lecture requests"), "lecture-requests", "lectures", LECTURES),
            MenuEntry(_("Lecture team"), "lecturers", "lectures", LECTURES),
            MenuEntry(_("Topic catalogue"), "lecture-topics", "lectures", LECTURES),
            MenuEntry(_("Team lecture tours"), "lecture-tours", "lectures", LECTURES),
            MenuEntry(_("Lesson drafts"), "lecture-drafts", "lectures", LESSON_DRAFTS),
            MenuEntry(_("My lecture feedback"), "lecture-my-feedback", "lectures", (Role.LECTURER,)),
            MenuEntry(_("Lecture statistics"), "lecture-statistics", "lectures", LECTURES),
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
