"""Foundation models: regions, users and roles, the audit chain, API tokens, calendar and policy."""

import hashlib
import json
from datetime import UTC

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import clock
from .enums import PREFIX_LENGTH, CalendarDayKind, CalendarSource, RegionKind, RegionLevel, Role
from .scope import RegionQuerySet, code_range

region_code_validator = RegexValidator(r"^\d{12}$", _("A region code has exactly 12 digits."))


class Region(models.Model):
    """An administrative division keyed by its 12-digit statistical code (统计用区划代码)."""

    code = models.CharField(_("code"), max_length=12, primary_key=True, validators=[region_code_validator])
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=RegionKind.choices, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name

    @property
    def prefix(self) -> str:
        """The leading digits every region inside this one shares."""
        return self.code[: PREFIX_LENGTH[self.level]]

    @property
    def county_code(self) -> str:
        return self.code[:6]

    def contains(self, code: str) -> bool:
        return code.startswith(self.prefix)

    def ancestors(self) -> list["Region"]:
        """From the top down to the parent, without this region."""
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    @property
    def full_name(self) -> str:
        return "".join(r.name for r in [*self.ancestors(), self] if r.level != RegionLevel.PROVINCE)

    def clean(self):
        if self.parent and not self.code.startswith(self.parent.prefix):
            raise ValidationError(
                {"code": _("The code must start with the parent's prefix %s.") % self.parent.prefix}
            )


class RoleDefinition(models.Model):
    """A role a user may hold (DESIGN.md §1); the rows mirror `enums.Role`."""

    code = models.CharField(_("code"), max_length=20, primary_key=True, choices=Role.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self):
        return str(Role(self.code).label)


class User(AbstractUser):
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    roles = models.ManyToManyField(RoleDefinition, verbose_name=_("roles"), blank=True, related_name="users")
    display_name = models.CharField(_("display name"), max_length=40, blank=True)
    unit = models.CharField(_("work unit"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.username

    @cached_property
    def role_codes(self) -> frozenset[str]:
        if not self.pk:
            return frozenset()
        return frozenset(self.roles.values_list("code", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_codes.intersection(roles))

    @property
    def scope_prefix(self) -> str | None:
        """Region-code prefix of everything this user may see; None means nothing."""
        if not self.is_active or self.region_id is None:
            return None
        return self.region.prefix


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogImmutable(_("Audit events cannot be changed."))

    def delete(self):
        raise AuditLogImmutable(_("Audit events cannot be deleted."))

    def in_region(self, prefix: str):
        return self.filter(region_code__range=code_range(prefix))


class AuditLogImmutable(Exception):
    pass


GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """One write, as it happened. Append-only; each event seals its predecessor in the county's chain."""

    chain = models.CharField(_("chain"), max_length=6, help_text=_("County code: one chain per county."))
    seq = models.PositiveBigIntegerField(_("sequence"))
    created_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        User, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_username = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_repr = models.CharField(_("target"), max_length=200, blank=True)
    region_code = models.CharField(_("region code"), max_length=12)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # HMAC of `hash` with the audit key, which is not in the database: whoever can write the database can
    # recompute hashes but not this, so the first rewritten event is named. Empty for events recorded
    # before chains were signed (AuditChain.signed_from).
    mac = models.CharField(max_length=64, blank=True, default="")

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_chain_seq_unique")]
        indexes = [
            models.Index(fields=["region_code", "created_at"], name="audit_region_time_idx"),
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"{self.chain}#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogImmutable(_("Audit events cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogImmutable(_("Audit events cannot be deleted."))

    def sealed_content(self) -> dict:
        """Everything the hash covers, in a form that reads back identically from every database."""
        return {
            "chain": self.chain,
            "seq": self.seq,
            "created_at": self.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "target_repr": self.target_repr,
            "region_code": self.region_code,
            "before": self.before,
            "after": self.after,
            "note": self.note,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        return seal_hash(self.sealed_content())


_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def seal_hash(content: dict) -> str:
    """SHA-256 of an event's sealed content in canonical JSON (the verifier hashes rows with it too)."""
    return hashlib.sha256(_CANONICAL_JSON.encode(content).encode("utf-8")).hexdigest()


class AuditChain(models.Model):
    """Head of one county's chain. Its row lock serialises appends, and it lets verify notice a cut tail.

    `signature` is an HMAC (with the audit key, kept outside the database) over chain, last_seq, last_hash
    and signed_from, renewed on every append: a head moved back or forward in the database no longer
    matches it. Events from `signed_from` on carry a `mac`; earlier ones predate signing.
    """

    chain = models.CharField(max_length=6, primary_key=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    signed_from = models.PositiveBigIntegerField(default=0)
    signature = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("audit chain")
        verbose_name_plural = _("audit chains")

    def __str__(self):
        return self.chain


class AuditCheckpoint(models.Model):
    """A signed note that chain `chain` had reached event `seq` with hash `hash` at `created_at`.

    The same line is appended to DATA_DIR/checkpoints/<chain>.jsonl and shown on the public page; those
    copies are the trusted ones, this row is a convenience for the database. `prev` is the signature of
    the chain's previous checkpoint, so that a line removed from the middle of the file is noticed.
    """

    chain = models.CharField(_("chain"), max_length=6)
    seq = models.PositiveBigIntegerField(_("sequence"))
    hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("time"))
    prev = models.CharField(max_length=64, blank=True)
    signature = models.CharField(_("signature"), max_length=64)

    class Meta:
        ordering = ["chain", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_checkpoint_chain_seq_unique")
        ]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self):
        return f"{self.chain}@{self.seq}"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the owner sees the token once."""

    user = models.ForeignKey(
        User, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=60, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(_("prefix"), max_length=12)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.key_prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > clock.now()


class CalendarDay(models.Model):
    """A day that breaks the weekday/weekend rule: a holiday on a weekday or a make-up workday (调休)."""

    date = models.DateField(_("date"), primary_key=True)
    kind = models.CharField(_("kind"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=40, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=CalendarSource.choices)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}"


class PolicySetting(models.Model):
    """A policy number for a region (and everything inside it) from a year on; see `policy.POLICIES`."""

    key = models.CharField(_("setting"), max_length=40)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(
        _("from year"), null=True, blank=True, help_text=_("Empty: every year without its own value.")
    )
    value = models.CharField(_("value"), max_length=40)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["key", "region_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["key", "region", "year"], name="policy_key_region_year_unique"),
            models.UniqueConstraint(
                fields=["key", "region"],
                condition=models.Q(year__isnull=True),
                name="policy_key_region_any_year",
            ),
        ]
        verbose_name = _("policy setting")
        verbose_name_plural = _("policy settings")

    def __str__(self):
        return f"{self.key} {self.region_id} {self.year or '*'} = {self.value}"


class DemoDataset(models.Model):
    """Which parts of the demo have been loaded, so that a second `make run` keeps what users changed."""

    name = models.CharField(max_length=40, primary_key=True)
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("demo dataset")
        verbose_name_plural = _("demo datasets")

    def __str__(self):
        return self.name


class RateWindow(models.Model):
    """How often one key (a use and who: `complaint-address:1.2.3.4`) was counted in its current window.
    Kept in the database so that every worker process counts together and a restart forgets nothing;
    `core/ratelimit.py` counts under a row lock."""

    key = models.CharField(max_length=200, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.key} {self.count}"


class ExportJob(models.Model):
    """A large spreadsheet export run in the background (core/exportjobs.py): its progress while it runs,
    then its file, which only the user who asked downloads."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Export failed")

    created_by = models.ForeignKey("User", on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=12)  # the asker's area when asked: the rows never leave it
    kind = models.CharField(max_length=40)  # the producer in exportjobs.PRODUCERS
    params = models.JSONField(default=dict, blank=True)  # its filters, already checked against the scope
    status = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="exportjob_user_idx")]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"
