from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWN = "town", _("Town")
    VILLAGE = "village", _("Village")


# How many leading digits of the 12-digit code identify a region of each level.
PREFIX_LENGTH = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.CITY: 4,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWN: 9,
    RegionLevel.VILLAGE: 12,
}


class RegionKind(models.TextChoices):
    """The kind of unit inside its level, as the statistical code ranges tell them apart."""

    SUBDISTRICT = "subdistrict", _("Subdistrict")  # 街道 001–099
    TOWN = "town", pgettext_lazy("region kind", "Town")  # 镇 100–199
    TOWNSHIP = "township", _("Township")  # 乡 200–399
    RESIDENTS_COMMITTEE = "residents", _("Residents' committee")  # 居委会 001–199
    VILLAGE_COMMITTEE = "villagers", _("Villagers' committee")  # 村委会 200–399
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("County administrator")
    TOWN_OFFICER = "town_officer", _("Town officer")
    VILLAGE_CADRE = "village_cadre", _("Village cadre")
    HELPER = "helper", _("Helper")
    EXPERT = "expert", _("Review expert")
    FINANCE = "finance", _("Finance")
    INSPECTOR = "inspector", _("Inspector")
    LECTURE_ADMIN = "lecture_admin", _("Lecture administrator")
    LECTURER = "lecturer", _("Lecturer")
    REQUESTER = "requester", _("Requesting unit")
    GRID_STAFF = "grid_staff", _("Grid staff")
    DISPATCHER = "dispatcher", _("Dispatcher")


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday (day off)")
    WORKDAY = "workday", _("Make-up workday")


class CalendarSource(models.TextChoices):
    LIBRARY = "library", _("From the chinese-calendar library")
    ADMIN = "admin", _("Entered by an administrator")


# What each role does (DESIGN.md §1), shown on the home page so that a user knows what they may do.
ROLE_DUTIES = {
    Role.COUNTY_ADMIN: _("Everything in the county: configuration, approvals, users and roles."),
    Role.TOWN_OFFICER: _("Town reviews, and the projects and households of the town."),
    Role.VILLAGE_CADRE: _("Applications, village reviews, notices and visits in the village."),
    Role.HELPER: _("Monthly visits to the households paired with you."),
    Role.EXPERT: _("Scoring the project reviews you are drawn for, nothing else."),
    Role.FINANCE: _("Fund sources, allocations and disbursements."),
    Role.INSPECTOR: _("Reading everything in your area, campaigns, the problem ledger and the audit log."),
    Role.LECTURE_ADMIN: _("The lecture catalogue, lecture requests, scheduling and feedback."),
    Role.LECTURER: _("Confirming your lectures and reading their feedback."),
    Role.REQUESTER: _("Requesting lectures for your unit and filing the feedback form."),
    Role.GRID_STAFF: _("Reporting and rectifying problems found on patrol in your grid."),
    Role.DISPATCHER: _("Dispatching patrol problems and verifying their rectification."),
}
