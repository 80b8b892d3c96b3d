"""Code lists of the registry (建档立卡), as the national system names them, and the gate procedures."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Attribute(models.TextChoices):
    GENERAL = "general", _("General poor household")  # 一般贫困户
    DIBAO = "dibao", _("Subsistence-allowance poor household")  # 低保贫困户
    TEKUN = "tekun", _("Extreme-poverty supported household")  # 特困供养贫困户


class Standard(models.TextChoices):
    NATIONAL = "national", _("National standard")
    PROVINCIAL = "provincial", _("Provincial standard")
    MUNICIPAL = "municipal", _("Municipal standard")


class Cause(models.TextChoices):
    ILLNESS = "illness", _("Illness")  # 因病
    DISABILITY = "disability", _("Disability")  # 因残
    SCHOOLING = "schooling", _("Schooling costs")  # 因学
    DISASTER = "disaster", _("Disaster")  # 因灾
    LAND = "land", _("Lack of land")  # 缺土地
    WATER = "water", _("Lack of water")  # 缺水
    SKILLS = "skills", _("Lack of skills")  # 缺技术
    LABOUR = "labour", _("Lack of labour")  # 缺劳力
    CAPITAL = "capital", _("Lack of capital")  # 缺资金
    TRANSPORT = "transport", _("Poor transport")  # 交通条件落后
    MOTIVATION = "motivation", _("Lack of drive")  # 自身发展动力不足
    OTHER = "other", _("Other")  # 其它


class Status(models.TextChoices):
    APPLYING = "applying", _("In identification")  # going through the entry gate
    NOT_LIFTED = "not_lifted", _("Not yet lifted out")  # 未脱贫
    LIFTED_WITH_POLICY = "lifted_policy", _("Lifted out, still supported")  # 已脱贫享受政策
    LIFTED = "lifted", _("Lifted out, no longer supported")  # 已脱贫不再享受政策
    RELAPSED = "relapsed", _("Fell back into poverty")  # 返贫
    REJECTED = "rejected", _("Not admitted")  # the entry gate refused
    MONITORED = "monitored", _("Monitored, never registered")  # 边缘易致贫户, 突发严重困难户


REGISTERED_STATUSES = {Status.NOT_LIFTED, Status.LIFTED_WITH_POLICY, Status.LIFTED, Status.RELAPSED}


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    SON = "son", _("Son")
    DAUGHTER = "daughter", _("Daughter")
    SON_IN_LAW = "son_in_law", _("Son-in-law")
    DAUGHTER_IN_LAW = "daughter_in_law", _("Daughter-in-law")
    GRANDSON = "grandson", _("Grandson")
    GRANDDAUGHTER = "granddaughter", _("Granddaughter")
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    SIBLING = "sibling", _("Brother or sister")
    OTHER = "other", _("Other relative")


class Education(models.TextChoices):
    NONE = "none", _("Illiterate or semi-literate")
    PRESCHOOL = "preschool", _("Pre-school child")
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior middle school")
    SENIOR = "senior", _("Senior middle school")
    COLLEGE = "college", _("College or above")


class Schooling(models.TextChoices):
    NOT_IN_SCHOOL = "no", _("Not in school")
    PRESCHOOL = "preschool", _("Pre-school education")
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior middle school")
    SENIOR = "senior", _("Senior middle school")
    VOCATIONAL = "vocational", _("Vocational school")
    COLLEGE = "college", _("College or university")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")  # 健康
    CHRONIC = "chronic", _("Long-term chronic illness")  # 长期慢性病
    SERIOUS = "serious", _("Serious illness")  # 患有大病
    DISABLED = "disabled", _("Disabled")  # 残疾


class Labour(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary labour")  # 普通劳动力
    SKILLED = "skilled", _("Skilled labour")  # 技能劳动力
    WEAK = "weak", _("Weak or half labour")  # 弱劳动力或半劳动力
    LOST = "lost", _("Lost labour ability")  # 丧失劳动力
    NONE = "none", _("No labour ability")  # 无劳动力


ABLE_TO_WORK = {Labour.ORDINARY, Labour.SKILLED, Labour.WEAK}


class Work(models.TextChoices):
    NONE = "none", _("Not working")
    TOWN = "town", _("Working in the town")
    COUNTY = "county", _("Working in the county")
    PROVINCE = "province", _("Working in the province")
    OUTSIDE = "outside", _("Working outside the province")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Gate(models.TextChoices):
    ENTRY = "entry", _("Identification (entry gate)")
    EXIT = "exit", _("Exit")


class Step(models.TextChoices):
    """The steps of the two gate procedures, in their order (DESIGN.md §4)."""

    APPLIED = "applied", _("Applied")
    VILLAGE_REVIEW = "village_review", _("Village review")
    FIRST_NOTICE = "first_notice", _("First notice")
    TOWN_REVIEW = "town_review", _("Town review")
    SECOND_NOTICE = "second_notice", _("Second notice")
    COUNTY_APPROVAL = "county_approval", _("County approval and announcement")
    VERIFICATION = "verification", _("Verification")
    CONSENT = "consent", _("Household consent")
    NOTICE = "notice", _("Notice")
    ANNOUNCEMENT = "announcement", _("Announcement")
    DONE = "done", _("Completed")
    REFUSED = "refused", _("Refused")


ENTRY_STEPS = [
    Step.APPLIED,
    Step.VILLAGE_REVIEW,
    Step.FIRST_NOTICE,
    Step.TOWN_REVIEW,
    Step.SECOND_NOTICE,
    Step.COUNTY_APPROVAL,
    Step.DONE,
]
EXIT_STEPS = [
    Step.APPLIED,
    Step.VILLAGE_REVIEW,
    Step.VERIFICATION,
    Step.CONSENT,
    Step.NOTICE,
    Step.ANNOUNCEMENT,
    Step.DONE,
]
GATE_STEPS = {Gate.ENTRY: ENTRY_STEPS, Gate.EXIT: EXIT_STEPS}
NOTICE_STEPS = {Step.FIRST_NOTICE, Step.SECOND_NOTICE, Step.NOTICE}


class MonitoringType(models.TextChoices):
    UNSTABLE = "unstable", _("Lifted out but unstable")  # 脱贫不稳定户
    MARGINAL = "marginal", _("Marginal, easily impoverished")  # 边缘易致贫户
    SUDDEN = "sudden", _("Sudden severe hardship")  # 突发严重困难户


class RiskType(models.TextChoices):
    INCOME = "income", _("Income below the monitoring line")
    ILLNESS = "illness", _("Illness")
    DISABILITY = "disability", _("Disability")
    SCHOOLING = "schooling", _("Schooling costs")
    DISASTER = "disaster", _("Natural disaster")
    ACCIDENT = "accident", _("Accident")
    ENTERPRISE = "enterprise", _("Failed business")
    UNSTABLE_WORK = "unstable_work", _("Unstable work")
    LABOUR = "labour", _("Lack of labour")
    GUARANTEE = "guarantee", _("A guarantee or drinking water at risk")


class MonitoringSource(models.TextChoices):
    """How a risk came to light (2021 rules): the household applies, a department alerts, a visit finds it."""

    APPLICATION = "application", _("Household's application")  # 农户自主申报
    ALERT = "alert", _("Department alert")  # 部门筛查预警
    VISIT = "visit", _("Found on a visit")  # 基层干部排查


class MonitoringStep(models.TextChoices):
    """The identification of a monitored household, in order, in working days."""

    FOUND = "found", _("Found")
    VILLAGE_REVIEW = "village_review", _("Village review")
    NOTICE = "notice", _("Notice")
    TOWN_CHECK = "town_check", _("Town check")
    COUNTY_APPROVAL = "county_approval", _("County approval")


MONITORING_STEPS = list(MonitoringStep)


class MeasureKind(models.TextChoices):
    INDUSTRY = "industry", _("Industry support")  # 产业帮扶
    EMPLOYMENT = "employment", _("Employment support")  # 就业帮扶
    HEALTH = "health", _("Health support")  # 健康帮扶
    EDUCATION = "education", _("Education support")  # 教育帮扶
    HOUSING = "housing", _("Housing security")  # 住房保障
    SOCIAL_SECURITY = "social_security", _("Social security")  # 社会保障兜底
    OTHER = "other", _("Other support")  # 其他


class MonitoringState(models.TextChoices):
    IDENTIFYING = "identifying", _("Being identified")
    MONITORED = "monitored", _("Monitored, risk not cleared")
    CLEARED = "cleared", _("Risk cleared")


class ChangeKind(models.TextChoices):
    BIRTH = "birth", _("Birth")
    DEATH = "death", _("Death")
    MARRIAGE_IN = "marriage_in", _("Married in")
    MARRIAGE_OUT = "marriage_out", _("Married out")
    MOVE_OUT = "move_out", _("Moved out")
    SPLIT = "split", _("Household split")


class ChangeState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


AUDIT_ACTIONS = {
    "household.create": _("Household registered"),
    "household.update": _("Household changed"),
    "household.member_add": _("Member added"),
    "household.member_update": _("Member changed"),
    "household.gate_step": _("Gate procedure step"),
    "household.objection": _("Objection during notice"),
    "household.objection_resolved": _("Objection resolved"),
    "household.warnings_confirmed": _("Data warnings confirmed"),
    "household.id_revealed": _("ID number revealed"),
    "household.import": _("Households imported"),
    "visit.create": _("Visit recorded"),
    "helper.assign": _("Helper paired"),
    "change.request": _("Change requested"),
    "change.decide": _("Change decided"),
    "monitoring.open": _("Monitoring opened"),
    "monitoring.measure": _("Assistance measure"),
    "monitoring.identify": _("Monitoring identified"),
    "monitoring.clear": _("Risk cleared"),
}
