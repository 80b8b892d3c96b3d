"""What the field app's sync endpoint has received: each record's uuid once, and the photos sent ahead of
their record."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

AUDIT_ACTIONS = {
    "sync.store": _("Offline record synced"),
}


class RecordKind(models.TextChoices):
    VISIT = "visit", _("visit")
    EVIDENCE = "evidence", _("rectification evidence")
    URBAN_PROBLEM = "urban_problem", _("urban problem")


class SyncRecord(models.Model):
    """A record made offline and stored by its service. The unique uuid is what makes a sync idempotent:
    a replay finds the row and answers "duplicate" with the id stored the first time; two requests racing
    with one uuid meet at the unique index, and the loser's transaction (with its visit) is rolled back."""

    uuid = models.UUIDField(unique=True)
    kind = models.CharField(max_length=20, choices=RecordKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(_("made at"))
    received_at = models.DateTimeField(_("synced at"), default=timezone.now)
    # The stored object's id (a visit's), set in the same transaction that claimed the uuid.
    target_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["received_at", "id"]

    def __str__(self):
        return f"{self.kind} {self.uuid}"


class SyncFile(models.Model):
    """A photo uploaded ahead of its record (the record names it by its own uuid). Checked like every upload
    on arrival; the service that stores the record checks and stores it again under its own rules, then this
    copy is deleted and the row kept, so that a file sent again answers "duplicate"."""

    uuid = models.UUIDField(unique=True)
    record_uuid = models.UUIDField(db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="sync/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    received_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_at", "id"]

    def __str__(self):
        return str(self.uuid)
