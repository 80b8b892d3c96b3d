"""Registry API: households with their members, gate transitions, visits, imports."""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from fupin.core import clock, scope
from fupin.core import tasks as core_tasks
from fupin.core.api import (
    ErrorOut,
    ExportOut,
    IsoDate,
    Page,
    PageIn,
    RegionCode,
    RegionPrefix,
    one_of,
    paginate,
)
from fupin.core.errors import DomainError
from fupin.core.masking import mask_id_number, mask_phone
from fupin.core.models import User
from fupin.core.scope import get_visible_or_404

from . import search, services, tasks
from .enums import (
    GATE_STEPS,
    Attribute,
    Cause,
    Education,
    Gate,
    Health,
    Labour,
    MeasureKind,
    MonitoringSource,
    MonitoringState,
    MonitoringStep,
    MonitoringType,
    Relation,
    RiskType,
    Schooling,
    Sex,
    Standard,
    Step,
    Work,
)
from .enums import Status as HouseholdStatus
from .models import HelperPair, Household, ImportJob, Member, MonitoringCase, Objection

router = Router(tags=["registry"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class MemberIn(Schema):
    name: str
    id_number: str
    relation: one_of(Relation)
    sex: one_of(Sex) | None = None
    birth_date: str | None = None
    ethnicity: str | None = None
    education: one_of(Education, "") | None = None
    schooling: one_of(Schooling, "") | None = None
    health: one_of(Health) | None = None
    labour: one_of(Labour) | None = None
    work: one_of(Work) | None = None
    months_worked: int | None = None
    serious_illness_insurance: bool | None = None
    medical_insurance: bool | None = None
    pension_insurance: bool | None = None
    phone: str | None = None


class IncomeIn(Schema):
    year: int | None = None
    wage: Decimal = Decimal("0")
    business: Decimal = Decimal("0")
    transfer: Decimal = Decimal("0")
    property: Decimal = Decimal("0")
    production_cost: Decimal = Decimal("0")


class HouseholdIn(Schema):
    region: RegionCode = Field(description="12-digit code of the village")
    number: str | None = Field(None, description="Household number; generated when empty")
    attribute: one_of(Attribute) = "general"
    standard: one_of(Standard) = "national"
    main_cause: one_of(Cause)
    other_causes: list[one_of(Cause)] = []
    phone: str = ""
    food_secure: bool = True
    clothing_secure: bool = True
    education_secure: bool = True
    medical_secure: bool = True
    housing_secure: bool = True
    water_secure: bool = True
    members: list[MemberIn]
    income: IncomeIn | None = None


class MemberPatch(Schema):
    id: int
    education: one_of(Education, "") | None = None
    schooling: one_of(Schooling, "") | None = None
    health: one_of(Health) | None = None
    labour: one_of(Labour) | None = None
    work: one_of(Work) | None = None
    months_worked: int | None = None
    serious_illness_insurance: bool | None = None
    medical_insurance: bool | None = None
    pension_insurance: bool | None = None
    phone: str | None = None
    ethnicity: str | None = None


class HouseholdPatch(Schema):
    attribute: one_of(Attribute) | None = None
    standard: one_of(Standard) | None = None
    main_cause: one_of(Cause) | None = None
    other_causes: list[one_of(Cause)] | None = None
    phone: str | None = None
    food_secure: bool | None = None
    clothing_secure: bool | None = None
    education_secure: bool | None = None
    medical_secure: bool | None = None
    housing_secure: bool | None = None
    water_secure: bool | None = None
    income: IncomeIn | None = None
    members: list[MemberPatch] | None = Field(None, description="Circumstances of existing members, by id")


class MemberOut(Schema):
    id: int
    name: str
    id_number: str = Field(description="Masked; GET …/members/{int:member_id}/id-number reveals it (audited)")
    sex: one_of(Sex)
    birth_year: int = Field(
        description="Year of birth only: beside the masked ID number a full birth date gives the whole number"
    )
    relation: one_of(Relation)
    ethnicity: str
    education: one_of(Education, "")
    schooling: one_of(Schooling, "")
    health: one_of(Health)
    labour: one_of(Labour)
    work: one_of(Work)
    months_worked: int
    serious_illness_insurance: bool
    medical_insurance: bool
    pension_insurance: bool
    phone: str
    deceased: bool
    left_household: bool

    @staticmethod
    def resolve_id_number(obj):
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_birth_year(obj):
        return obj.birth_date.year

    @staticmethod
    def resolve_phone(obj):
        return mask_phone(obj.phone)


class HouseholdSummary(Schema):
    id: int
    number: str
    region: RegionCode = Field(alias="region_code")
    head: str | None
    status: one_of(HouseholdStatus)
    attribute: one_of(Attribute)
    main_cause: one_of(Cause)
    per_capita_income: Decimal | None
    income_year: int | None
    size: int

    @staticmethod
    def resolve_head(obj):
        return obj.head.name if obj.head else None

    @staticmethod
    def resolve_size(obj):
        return getattr(obj, "size", None) or obj.members.living().count()


class ProcedureOut(Schema):
    gate: one_of(Gate)
    step: one_of(Step)
    next_step: one_of(Step) | None
    notice_start: IsoDate | None
    notice_end: IsoDate | None
    open_objections: list[int]


class HouseholdOut(HouseholdSummary):
    standard: one_of(Standard)
    other_causes: list[one_of(Cause)]
    phone: str
    food_secure: bool
    clothing_secure: bool
    education_secure: bool
    medical_secure: bool
    housing_secure: bool
    water_secure: bool
    identified_year: int | None
    exit_year: int | None
    data_warnings: list[str]
    warnings_confirmed: bool
    members: list[MemberOut]
    procedure: ProcedureOut | None

    @staticmethod
    def resolve_phone(obj):
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_warnings_confirmed(obj):
        return obj.warnings_confirmed_by_id is not None

    @staticmethod
    def resolve_members(obj):
        return list(obj.members.all())

    @staticmethod
    def resolve_procedure(obj):
        procedure = obj.procedures.filter(finished_at__isnull=True).first()
        if procedure is None:
            return None
        following = services.next_step(procedure)
        return {
            "gate": procedure.gate,
            "step": procedure.step,
            "next_step": following,
            "notice_start": procedure.notice_start,
            "notice_end": procedure.notice_end,
            "open_objections": list(
                procedure.objections.filter(resolved_at__isnull=True).values_list("pk", flat=True)
            ),
        }


class ListFilters(PageIn):
    region: RegionPrefix | None = Field(None, description="Region-code prefix or full code, e.g. 370828107")
    status: one_of(HouseholdStatus) | None = None
    cause: one_of(Cause) | None = None
    q: str | None = Field(
        None, description="Name, pinyin initials (zs), ID number (full or last 6), household number"
    )


def _household(request, household_id: int) -> Household:
    return get_visible_or_404(Household.objects.with_head(), request.auth, pk=household_id)


@router.get("/households", response=Page[HouseholdSummary], summary="List and search households in my area")
def list_households(request, filters: Query[ListFilters]):
    search.check_query(request.auth, filters.q)
    households = search.filter_households(
        Household.objects.visible_to(request.auth),
        region=scope.region_param(request.auth, filters.region) if filters.region else None,
        status=filters.status,
        cause=filters.cause,
        q=filters.q,
    )
    households = households.with_head().order_by("region_code", "number")
    return paginate(households, filters, services.attach_sizes)


def _income_values(income: IncomeIn | None) -> dict | None:
    return income.dict(exclude={"year"}) if income else None


@router.post("/households", response={201: HouseholdOut, **ERRORS}, summary="Register an application")
def create_household(request, payload: HouseholdIn):
    data = payload.dict(exclude={"region", "members", "income"})
    household = services.create_household(
        request.auth,
        region_code=payload.region,
        data=data,
        members=[m.dict(exclude_none=True) for m in payload.members],
        income=_income_values(payload.income),
    )
    return Status(201, household)


@router.get(
    "/households/{int:household_id}", response={200: HouseholdOut, 404: ErrorOut}, summary="One household"
)
def get_household(request, household_id: int):
    return _household(request, household_id)


@router.patch(
    "/households/{int:household_id}", response={200: HouseholdOut, **ERRORS}, summary="Change a household"
)
def update_household(request, household_id: int, payload: HouseholdPatch):
    household = _household(request, household_id)
    income = (
        (payload.income.year or clock.today().year, _income_values(payload.income))
        if payload.income
        else None
    )
    services.change_household(
        request.auth,
        household,
        data=payload.dict(exclude_none=True, exclude={"income", "members"}),
        members=[m.dict(exclude_none=True) for m in payload.members or []],
        income=income,
    )
    return _household(request, household_id)


GATE_ACTIONS = {step for steps in GATE_STEPS.values() for step in steps} - {Step.APPLIED, Step.DONE}
HOUSEHOLD_ACTIONS = [
    *(step for step in Step if step in GATE_ACTIONS),
    "start_exit",
    "objection",
    "resolve_objection",
    "confirm_warnings",
]


class HouseholdTransitionIn(Schema):
    action: one_of(*HOUSEHOLD_ACTIONS) = Field(
        description="A gate step (village_review, first_notice, town_review, second_notice, county_approval, "
        "verification, consent, notice, announcement), or start_exit, objection, resolve_objection, "
        "confirm_warnings"
    )
    eligible: int | None = None
    present: int | None = None
    votes_for: int | None = None
    start: IsoDate | None = None
    opinion: str | None = None
    comment: str | None = None
    compared: bool | None = Field(None, description="Town review/verification: compared with department data")
    exception_reason: str | None = Field(
        None, description="Town review: why a household above the identification line is admitted"
    )
    consent: bool | None = None
    raised_by: str | None = None
    content: str | None = None
    objection_id: int | None = None
    resolution: str | None = None
    upheld: bool | None = None


@router.post(
    "/households/{int:household_id}/transitions",
    response={200: HouseholdOut, **ERRORS},
    summary="Take the next step of the entry or exit gate",
)
def transition_household(request, household_id: int, payload: HouseholdTransitionIn):
    household = _household(request, household_id)
    user, action = request.auth, payload.action
    procedure = household.procedures.filter(finished_at__isnull=True).first()
    if action == "start_exit":
        services.start_exit(user, household)
    elif action == "confirm_warnings":
        services.confirm_warnings(user, household)
    elif action in GATE_ACTIONS or action in ("objection", "resolve_objection"):
        if procedure is None:
            raise DomainError(_("The household has no procedure under way."), field="action")
        if action == "objection":
            services.raise_objection(user, procedure, payload.raised_by or "", payload.content or "")
        elif action == "resolve_objection":
            objection = get_object_or_404(Objection, pk=payload.objection_id, procedure=procedure)
            services.resolve_objection(user, objection, payload.resolution or "", bool(payload.upheld))
        else:
            services.take_step(user, procedure, action, payload.dict(exclude_none=True, exclude={"action"}))
    else:
        raise DomainError(_("Unknown action “%(action)s”.") % {"action": action}, field="action")
    return _household(request, household_id)


class VisitIn(Schema):
    visited_on: IsoDate
    findings: str
    help_given: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None


class VisitOut(Schema):
    id: int
    household_id: int
    helper: str
    visited_on: IsoDate
    findings: str
    help_given: str

    @staticmethod
    def resolve_helper(obj):
        return str(obj.helper)


@router.post(
    "/households/{int:household_id}/visits", response={201: VisitOut, **ERRORS}, summary="Record a visit"
)
def create_visit(request, household_id: int, payload: VisitIn):
    household = _household(request, household_id)
    visit = services.record_visit(request.auth, household, **payload.dict())
    return Status(201, visit)


class PairIn(Schema):
    helper: str = Field(description="The helper's user name")
    start: IsoDate | None = Field(None, description="Paired from (today when omitted)")


class PairEndIn(Schema):
    end: IsoDate | None = Field(None, description="Paired until (today when omitted)")
    reason: str = ""


class PairOut(Schema):
    id: int
    household_id: int
    helper: str
    start: IsoDate
    end: IsoDate | None

    @staticmethod
    def resolve_helper(obj):
        return obj.helper.username


def _helper_named(name: str):
    """The user to pair; whether they are a helper of the household's area is the service's rule."""
    helper = User.objects.filter(username=name, is_active=True).first()
    if helper is None:
        raise DomainError(_("No helper “%(name)s” in your area.") % {"name": name}, field="helper")
    return helper


@router.get(
    "/households/{int:household_id}/helpers",
    response={200: Page[PairOut], 404: ErrorOut},
    summary="Helpers paired with a household, current and past",
)
def list_helpers(request, household_id: int, paging: Query[PageIn]):
    pairs = _household(request, household_id).helper_pairs.select_related("helper").order_by("start", "pk")
    return paginate(pairs, paging)


@router.post(
    "/households/{int:household_id}/helpers",
    response={201: PairOut, **ERRORS},
    summary="Pair a helper with a household (结对帮扶)",
)
def pair_helper(request, household_id: int, payload: PairIn):
    household = _household(request, household_id)
    pair = services.pair_helper(request.auth, household, _helper_named(payload.helper), payload.start)
    return Status(201, pair)


@router.post(
    "/households/{int:household_id}/helpers/{int:pair_id}/end",
    response={200: PairOut, **ERRORS},
    summary="End a pairing on a date",
)
def end_pair(request, household_id: int, pair_id: int, payload: PairEndIn):
    household = _household(request, household_id)
    pair = get_object_or_404(HelperPair, pk=pair_id, household=household)
    return services.end_pair(request.auth, pair, payload.end, payload.reason)


class RevealOut(Schema):
    id_number: str


@router.get(
    "/households/{int:household_id}/members/{int:member_id}/id-number",
    response={200: RevealOut, 403: ErrorOut, 404: ErrorOut},
    summary="Reveal a member's full ID number (audited)",
)
def reveal_id_number(request, household_id: int, member_id: int):
    household = _household(request, household_id)
    member = get_object_or_404(Member, pk=member_id, household=household)
    return {"id_number": services.reveal_id_number(request.auth, member)}


class ImportErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    id: int
    mode: str
    status: str
    total: int
    done: int
    imported: int
    errors: list[ImportErrorOut]
    ignored_columns: list[str]


@router.post(
    "/households/import", response={202: ImportOut, **ERRORS}, summary="Import households (.xlsx/.csv)"
)
def import_households(request, file: File[UploadedFile], mode: Form[str] = "application"):
    """`mode=application` (default) opens the entry gate for each household; `mode=historical` (county
    administrator only) registers them with the national system's status."""
    job = tasks.start(request.auth, file, mode)
    return Status(202, job)


class ExportFilters(Schema):
    region: str | None = Field(None, description="Region-code prefix or full code, e.g. 370828107")
    status: str | None = None
    cause: str | None = None
    q: str | None = Field(None, description="As the household list's search")


@router.post(
    "/households/exports",
    response={202: ExportOut, **ERRORS},
    summary="Export households' members to .xlsx (a background job)",
)
def create_household_export(request, filters: Query[ExportFilters]):
    """The household list's filters; one row per living member. Follow the job at `GET /exports/{id}`
    and download it at `GET /exports/{id}/file` when its status is `done`."""
    search.check_query(request.auth, filters.q)
    wanted = filters.dict()
    wanted["region"] = scope.region_param(request.auth, filters.region) if filters.region else None
    return Status(202, core_tasks.start_export(request.auth, "registry.members", wanted))


@router.get("/imports/{int:job_id}", response={200: ImportOut, 404: ErrorOut}, summary="Follow an import")
def get_import_status(request, job_id: int):
    return get_visible_or_404(ImportJob, request.auth, pk=job_id)


class MeasureOut(Schema):
    id: int
    kind: one_of(MeasureKind)
    description: str
    taken_on: IsoDate
    until: IsoDate | None


class MonitoringOut(Schema):
    id: int
    household_id: int
    type: one_of(MonitoringType)
    risks: list[one_of(RiskType)]
    source: one_of(MonitoringSource)
    state: one_of(MonitoringState)
    step: one_of(MonitoringStep)
    found_on: IsoDate
    identify_by: IsoDate
    notice_start: IsoDate | None
    notice_end: IsoDate | None
    identified_on: IsoDate | None
    cleared_on: IsoDate | None
    measures: list[MeasureOut]

    @staticmethod
    def resolve_measures(obj):
        return list(obj.measures.all())


class MonitoringIn(Schema):
    household_id: int | None = Field(None, description="A registered household; or `household` for a new one")
    household: HouseholdIn | None = Field(None, description="A household never registered (边缘易致贫户 …)")
    type: one_of(MonitoringType) = Field(description="unstable, marginal or sudden")
    risks: list[one_of(RiskType)]
    found_on: IsoDate | None = None
    source: one_of(MonitoringSource) = Field("visit", description="application, alert or visit")


class MeasureIn(Schema):
    kind: one_of(MeasureKind) = Field(
        description="industry, employment, health, education, housing, social_security, other"
    )
    description: str
    taken_on: IsoDate | None = None
    until: IsoDate | None = None


class MonitoringTransitionIn(Schema):
    action: one_of(MonitoringStep, "clear") = Field(
        description="village_review, notice, town_check, county_approval, or clear"
    )
    start: IsoDate | None = None
    opinion: str | None = None


def _case(request, case_id: int) -> MonitoringCase:
    return get_object_or_404(
        MonitoringCase.objects.select_related("household"),
        pk=case_id,
        household__in=Household.objects.visible_to(request.auth),
    )


@router.get("/monitoring", response={200: Page[MonitoringOut]}, summary="Monitored households (防返贫)")
def list_monitoring_cases(request, paging: Query[PageIn], state: str | None = None, type: str | None = None):
    cases = MonitoringCase.objects.filter(household__in=Household.objects.visible_to(request.auth))
    if state:
        cases = cases.filter(state=state)
    if type:
        cases = cases.filter(type=type)
    return paginate(cases.prefetch_related("measures").order_by("state", "identify_by", "pk"), paging)


@router.post(
    "/monitoring", response={201: MonitoringOut, **ERRORS}, summary="Put a household under monitoring"
)
def open_monitoring_case(request, payload: MonitoringIn):
    found_on = payload.found_on or clock.today()
    if payload.household is not None:
        new = payload.household
        case = services.monitor_new_household(
            request.auth,
            region_code=new.region,
            data=new.dict(exclude={"region", "members", "income"}),
            members=[m.dict(exclude_none=True) for m in new.members],
            income=_income_values(new.income),
            type=payload.type,
            risks=payload.risks,
            found_on=found_on,
            source=payload.source,
        )
    elif payload.household_id is not None:
        case = services.open_monitoring(
            request.auth,
            _household(request, payload.household_id),
            type=payload.type,
            risks=payload.risks,
            found_on=found_on,
            source=payload.source,
        )
    else:
        raise DomainError(_("Name the household, or describe a new one."), field="household_id")
    return Status(201, case)


@router.post(
    "/monitoring/{int:case_id}/measures", response={201: MeasureOut, **ERRORS}, summary="Record a measure"
)
def add_monitoring_measure(request, case_id: int, payload: MeasureIn):
    case = _case(request, case_id)
    measure = services.add_measure(
        request.auth, case, payload.kind, payload.description, payload.taken_on, payload.until
    )
    return Status(201, measure)


@router.post(
    "/monitoring/{int:case_id}/transitions",
    response={200: MonitoringOut, **ERRORS},
    summary="Take the next identification step, or clear the risk",
)
def transition_monitoring_case(request, case_id: int, payload: MonitoringTransitionIn):
    case = _case(request, case_id)
    if payload.action == "clear":
        services.clear_risk(request.auth, case)
    elif payload.action in MonitoringStep.values:
        services.monitoring_step(request.auth, case, payload.action, payload.dict(exclude_none=True))
    else:
        raise DomainError(_("Unknown action “%(action)s”.") % {"action": payload.action}, field="action")
    return _case(request, case_id)


@router.get(
    "/households/{int:household_id}/monitoring",
    response={200: Page[MonitoringOut], 404: ErrorOut},
    summary="Monitoring cases of a household",
)
def list_household_monitoring(request, household_id: int, paging: Query[PageIn]):
    cases = MonitoringCase.objects.filter(household=_household(request, household_id))
    return paginate(cases.prefetch_related("measures").order_by("found_on", "pk"), paging)
