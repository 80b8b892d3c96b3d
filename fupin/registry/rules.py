"""Checks on household data (DESIGN.md §4): hard errors refuse a write, soft warnings wait for a town officer.

Everything here is pure: it looks at values and says what is wrong, in Chinese, naming the field. The
services call it before they write, and the import calls it for every row.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from fupin.core import clock, identity, inputs
from fupin.core.errors import DomainError

from .enums import Cause, Education, Health, Labour, Relation, Schooling, Work

MAX_PER_CAPITA = Decimal("100000")
INCOME_FIELDS = ["wage", "business", "transfer", "property", "production_cost"]


@dataclass
class Problems:
    """Field → message for hard errors; a list for soft warnings."""

    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)


@lru_cache(maxsize=100_000)
def pinyin_of(name: str) -> tuple[str, str]:
    """Full pinyin without tones and the initials, both lower-case: 张三 → ("zhangsan", "zs")."""
    syllables = lazy_pinyin(name, errors="ignore")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(syllables).lower(), "".join(initials).lower()


@lru_cache(maxsize=64)
def _accepted(choices, language: str | None) -> dict[str, str]:
    """Stored values and their labels in the active language → stored value (built once per language)."""
    accepted = {str(shown): stored for stored, shown in choices.choices}
    accepted.update({stored: stored for stored in choices.values})
    return accepted


def choice(value, choices, name: str, problems: Problems, label: str, default=None):
    """Accept the stored value or its Chinese label (as the national system's exports spell it)."""
    if value in (None, ""):
        if default is not None:
            return default
        problems.error(name, _("%(field)s is required.") % {"field": label})
        return None
    text = str(value).strip()
    stored = _accepted(choices, get_language()).get(text)
    if stored is not None:
        return stored
    problems.error(
        name, _("%(field)s “%(value)s” is not one of the allowed values.") % {"field": label, "value": text}
    )
    return None


class LABELS:
    """Column labels for messages, translated only when a message uses them (not for every imported row)."""

    relation = gettext_lazy("Relation to head")
    education = gettext_lazy("Education")
    schooling = gettext_lazy("Schooling")
    health = gettext_lazy("Health")
    labour = gettext_lazy("Labour ability")
    work = gettext_lazy("Work status")


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def clean_member(
    data: dict, prefix: str, problems: Problems, today: date | None = None, working_age_from: int = 16
) -> dict:
    """Normalise one member's fields; record what is wrong under `prefix.field`.

    A child below the working age has no labour ability whatever was entered (学龄前/在校): a newborn is
    never counted as labour.
    """
    today = today or clock.today()
    out = {}
    name = str(data.get("name") or "").strip()
    if not name:
        problems.error(f"{prefix}name", _("The full name is required."))
    out["name"] = name
    out["name_pinyin"], out["name_initials"] = pinyin_of(name)
    try:
        parsed = identity.parse(data.get("id_number"), today=today)
        out.update(
            id_number=parsed.number, id_last6=parsed.number[-6:], birth_date=parsed.birth_date, sex=parsed.sex
        )
        given_sex = data.get("sex")
        if given_sex and str(given_sex).strip() not in (parsed.sex, {"M": "男", "F": "女"}[parsed.sex]):
            problems.error(f"{prefix}sex", _("The sex does not match the ID number."))
        given_birth = data.get("birth_date")
        if given_birth and str(given_birth)[:10] != parsed.birth_date.isoformat():
            problems.error(f"{prefix}birth_date", _("The birth date does not match the ID number."))
    except identity.InvalidIdNumber as exc:
        problems.error(f"{prefix}id_number", str(exc))
    out["relation"] = choice(data.get("relation"), Relation, f"{prefix}relation", problems, LABELS.relation)
    out["education"] = choice(
        data.get("education"), Education, f"{prefix}education", problems, LABELS.education, ""
    )
    out["schooling"] = choice(
        data.get("schooling"), Schooling, f"{prefix}schooling", problems, LABELS.schooling, "no"
    )
    out["health"] = choice(data.get("health"), Health, f"{prefix}health", problems, LABELS.health, "healthy")
    out["labour"] = choice(data.get("labour"), Labour, f"{prefix}labour", problems, LABELS.labour, "ordinary")
    if out.get("birth_date") and age_on(out["birth_date"], today) < working_age_from:
        out["labour"] = Labour.NONE
    out["work"] = choice(data.get("work"), Work, f"{prefix}work", problems, LABELS.work, "none")
    months = data.get("months_worked") or 0
    try:
        months = int(str(months).strip() or 0)
    except ValueError:
        months = -1
    if not 0 <= months <= 12:
        problems.error(f"{prefix}months_worked", _("Months worked must lie between 0 and 12."))
    out["months_worked"] = max(0, min(months, 12))
    out["ethnicity"] = str(data.get("ethnicity") or "汉族").strip()
    for flag in ["serious_illness_insurance", "medical_insurance", "pension_insurance"]:
        if flag in data:
            out[flag] = as_bool(data[flag])
    out["phone"] = clean_phone(data.get("phone"), f"{prefix}phone", problems)
    return out


def clean_phone(value, name: str, problems: Problems) -> str:
    try:
        return inputs.phone_value(str(value or ""), name, _("Contact phone"))
    except DomainError as refused:
        problems.error(name, refused.message)
        return ""


def as_bool(value) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "是", "y", "on"}


def clean_causes(data: dict, problems: Problems) -> tuple[str | None, list[str]]:
    main = choice(data.get("main_cause"), Cause, "main_cause", problems, _("Main cause of poverty"))
    others = []
    for i, value in enumerate(data.get("other_causes") or []):
        cause = choice(value, Cause, f"other_causes.{i}", problems, _("Other cause"))
        if cause and cause != main and cause not in others:
            others.append(cause)
    if len(others) > 2:
        problems.error("other_causes", _("At most two other causes."))
    return main, others[:2]


def money_value(value, name: str, problems: Problems) -> Decimal:
    number = inputs.plain_decimal(value if value not in (None, "") else "0")
    if number is None:
        problems.error(name, _("Must be a number."))
        return Decimal("0.00")
    if number.as_tuple().exponent < -2:
        problems.error(name, _("Use a number with at most 2 decimal places."))
        return Decimal("0.00")
    return number.quantize(Decimal("0.01"))


def clean_income(data: dict, members: int, problems: Problems, prefix: str = "income.") -> dict:
    parts = {name: money_value(data.get(name), f"{prefix}{name}", problems) for name in INCOME_FIELDS}
    for name in INCOME_FIELDS:
        if parts[name] < 0:
            problems.error(f"{prefix}{name}", _("Must not be negative."))
    net = parts["wage"] + parts["business"] + parts["transfer"] + parts["property"] - parts["production_cost"]
    per_capita = (net / members).quantize(Decimal("0.01")) if members else Decimal("0.00")
    return {**parts, "net": net, "per_capita": per_capita, "members": members}


def consistency_warnings(main_cause: str, members: list[dict], per_capita: Decimal | None) -> list[str]:
    """The soft checks of DESIGN.md §4; a town officer confirms them before the household goes on."""
    warnings = []
    if main_cause == Cause.ILLNESS and members and all(m.get("health") == "healthy" for m in members):
        warnings.append(_("The main cause is illness, but every member is recorded as healthy."))
    if main_cause == Cause.DISABILITY and members and all(m.get("health") != "disabled" for m in members):
        warnings.append(_("The main cause is disability, but no member is recorded as disabled."))
    if per_capita is not None and (per_capita <= 0 or per_capita > MAX_PER_CAPITA):
        warnings.append(
            _("The per-capita net income of %(amount)s yuan is implausible (not above 0 or above 100,000).")
            % {"amount": per_capita}
        )
    if main_cause == Cause.LABOUR and any(m.get("labour") in ("ordinary", "skilled") for m in members):
        warnings.append(_("The main cause is lack of labour, but a member has full labour ability."))
    return warnings
