"""The sync: each record made offline is handed to the service that stores it online, once per uuid.

A record is stored in its own transaction: the uuid is claimed first (a unique row), then the kind's
service runs with the same rules as the online page, then the audit event of the sync records when the
record was made on the phone and when it arrived. A refusal of the service rolls all of it back and is
answered with its message, for the phone to keep and show; a record sent again answers "duplicate" with
the id stored the first time.
"""

import uuid as uuids
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from fupin.core import audit, clock, uploads
from fupin.core.errors import DomainError

from . import kinds
from .models import SyncFile, SyncRecord

STORED, DUPLICATE, REFUSED = "stored", "duplicate", "refused"
# A photo sent ahead of its record: any image; the record's own service checks it again for its purpose.
SYNC_PHOTO = uploads.Purpose(uploads.IMAGES)
MAX_PHOTOS = 9


@dataclass
class Outcome:
    uuid: str
    status: str
    id: int | None = None
    message: str = ""
    fields: dict = field(default_factory=dict)


HANDLERS: dict[str, Callable] = {
    "visit": kinds.store_visit,
    "evidence": kinds.store_evidence,
    "urban_problem": kinds.store_urban_problem,
}


def sync(actor, records) -> list[Outcome]:
    """Store the records in the order the phone made them; one refusal does not stop the others."""
    return [sync_one(actor, record) for record in records]


def sync_one(actor, record) -> Outcome:
    uuid = str(record.uuid)
    known = _known(record.uuid)
    if known is not None:
        return _duplicate(actor, known, uuid)
    handler = HANDLERS.get(record.kind)
    if handler is None:
        message = _("Unknown kind of record: %(kind)s.") % {"kind": record.kind}
        return Outcome(uuid, REFUSED, message=message, fields={"kind": message})
    try:
        return _store(actor, record, handler)
    except IntegrityError:
        # Another request stored this uuid while this one ran: its transaction won, this one left nothing.
        known = _known(record.uuid)
        if known is None:
            raise
        return _duplicate(actor, known, uuid)
    except DomainError as refused:
        return Outcome(uuid, REFUSED, message=refused.message, fields=refused.fields)
    except Http404:
        return Outcome(uuid, REFUSED, message=_("Not found, or outside your area."))
    except PermissionDenied as refused:
        return Outcome(uuid, REFUSED, message=str(refused) or _("Your role does not allow this action."))


def _known(uuid) -> SyncRecord | None:
    return SyncRecord.objects.filter(uuid=uuid).first()


def _duplicate(actor, known: SyncRecord, uuid: str) -> Outcome:
    if known.user_id != actor.pk:  # a uuid is the phone's; another user's is not theirs to learn about
        return Outcome(uuid, REFUSED, message=_("This record's uuid was already used."), fields={"uuid": ""})
    return Outcome(uuid, DUPLICATE, id=known.target_id)


def _store(actor, record, handler) -> Outcome:
    synced_at = clock.now()
    with transaction.atomic():
        claim = SyncRecord.objects.create(
            uuid=record.uuid, kind=record.kind, user=actor, made_at=record.made_at, received_at=synced_at
        )
        photos = _photos(actor, record)
        files = [File(photo.file.open("rb"), photo.file.name) for photo in photos]
        target, region_code = handler(actor, record.payload, files)
        claim.target_id = target.pk
        claim.save(update_fields=["target_id"])
        _used(photos, synced_at)
        audit.record(
            actor=actor,
            action="sync.store",
            region_code=region_code,
            target=target,
            after={
                "uuid": str(record.uuid),
                "kind": record.kind,
                "made_at": record.made_at,
                "synced_at": synced_at,
                "photos": len(photos),
            },
        )
    return Outcome(str(record.uuid), STORED, id=target.pk)


def _photos(actor, record) -> list[SyncFile]:
    """The photos the record names, every one uploaded ahead of it by the same user for this record."""
    names = record.payload.get("photos") or []
    if not isinstance(names, list) or len(names) > MAX_PHOTOS:
        raise DomainError(_("At most %(count)s photos per record.") % {"count": MAX_PHOTOS}, field="photos")
    names = [str(name) for name in names]
    found = {
        str(photo.uuid): photo
        for photo in SyncFile.objects.filter(
            user=actor, record_uuid=record.uuid, uuid__in=_valid_uuids(names), used_at__isnull=True
        )
    }
    missing = [name for name in names if name not in found]
    if missing:
        raise DomainError(
            _("%(count)s photos of this record have not arrived yet; send them first.")
            % {"count": len(missing)},
            field="photos",
            code="photos_missing",
        )
    return [found[name] for name in names]


def _valid_uuids(names: list[str]) -> list[str]:
    valid = []
    for name in names:
        try:
            valid.append(str(uuids.UUID(name)))
        except ValueError:
            continue
    return valid


def _used(photos: list[SyncFile], moment) -> None:
    """The service stored its own copy: the upload's copy goes once the transaction has committed."""
    for photo in photos:
        name, storage = photo.file.name, photo.file.storage
        photo.file.close()
        transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        photo.file = ""
        photo.used_at = moment
        photo.save(update_fields=["file", "used_at"])


@transaction.atomic
def receive_file(actor, *, record_uuid, file_uuid, upload) -> tuple[SyncFile, bool]:
    """A photo for a record still on its way. Sent again (a retry after a lost answer), it is not stored
    twice: the answer is the first copy's, with `created` False."""
    known = SyncFile.objects.filter(uuid=file_uuid).first()
    if known is not None:
        if known.user_id != actor.pk or known.record_uuid != record_uuid:
            raise DomainError(_("This file's uuid was already used."), field="uuid")
        return known, False
    stored, checked = uploads.checked_file(upload, SYNC_PHOTO, field="file", label=_("Photo"))
    photo = SyncFile(
        uuid=file_uuid,
        record_uuid=record_uuid,
        user=actor,
        file=stored,
        content_type=checked.kind.content_type,
        size=checked.size,
        received_at=clock.now(),
    )
    try:
        with transaction.atomic():
            photo.save()
    except IntegrityError:
        # The same file arrived twice at once: the first copy stands, this one leaves no file behind.
        photo.file.delete(save=False)
        known = SyncFile.objects.filter(uuid=file_uuid, user=actor).first()
        if known is None:
            raise
        return known, False
    return photo, True
