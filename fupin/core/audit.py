"""The audit chain (DESIGN.md §3).

Every write service calls `record()` inside its own transaction, so that the change and its event commit
or roll back together. Each county has one chain: event n stores the SHA-256 of event n-1, and its own hash
covers its content and that link. Editing or deleting any event (or cutting the tail) breaks the chain at
that point, and `verify()` names the first broken event.

Hashes alone do not stop whoever can write the database: they can edit an event and recompute every hash
after it. So the chain is also signed with the audit key, an HMAC-SHA256 key that is not in the database
(`AUDIT_KEY`, else the file DATA_DIR/audit_key):
- every event carries `mac`, the HMAC of its hash, so that the first rewritten event is named exactly;
- the chain head carries `signature` over (chain, last_seq, last_hash, signed_from), renewed on each append,
  so that a head moved back over removed events is noticed;
- `checkpoint()` (`python -m fupin audit checkpoint`, daily) writes a signed checkpoint (chain, seq, hash,
  time) to the database and appends it to DATA_DIR/checkpoints/<chain>.jsonl, which the public page
  `/public/audit/` shows: the copies outside the database are the trusted ones. A checkpoint also signs the
  previous checkpoint's signature, so that a line removed from the middle of a file is noticed.
"""

import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import CharField, Func
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import masking
from .models import GENESIS_HASH, AuditChain, AuditCheckpoint, AuditEvent, seal_hash

NATIONAL_CHAIN = "000000"  # for settings that belong to no county, such as the calendar
KEY_FILE_NAME = "audit_key"
CHECKPOINT_DIR_NAME = "checkpoints"
VERIFY_CHUNK = 10000  # events per query while walking a chain

# What each action is called on screen. Apps add theirs with `ACTION_LABELS.update(...)` in their apps.py.
ACTION_LABELS = {
    "auth.login": gettext_lazy("Logged in"),
    "auth.logout": gettext_lazy("Logged out"),
    "region.create": gettext_lazy("Region created"),
    "region.rename": gettext_lazy("Region renamed"),
    "user.create": gettext_lazy("User created"),
    "user.change": gettext_lazy("User changed"),
    "token.issue": gettext_lazy("API token issued"),
    "token.revoke": gettext_lazy("API token revoked"),
    "calendar.sync": gettext_lazy("Calendar synchronised"),
    "calendar.set_day": gettext_lazy("Calendar day set"),
    "policy.set": gettext_lazy("Policy setting changed"),
}


# --- The key --------------------------------------------------------------------------------------
class AuditKeyMissing(ImproperlyConfigured):
    """Neither AUDIT_KEY nor DATA_DIR/audit_key: signed history can be neither checked nor extended."""

    def __init__(self):
        super().__init__(
            _(
                "The audit key is missing: set AUDIT_KEY or restore the file %(path)s. Without the key that "
                "signed the audit chain it can be neither checked nor extended."
            )
            % {"path": key_file()}
        )


def key_file() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE_NAME


def audit_key(create: bool = False) -> bytes:
    """The signing key: AUDIT_KEY, else the key file; `create` makes the file (mode 0600) when absent."""
    if configured := getattr(settings, "AUDIT_KEY", ""):
        return configured.encode("utf-8")
    path = key_file()
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        if not create:
            raise AuditKeyMissing from None
        key = _create_key_file(path)
    if not key:
        raise AuditKeyMissing
    return key.encode("utf-8")


def _create_key_file(path: Path) -> str:
    """Write a random key with mode 0600; when two processes race, both end up with the first one's key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(draft, path)  # atomic, and refuses to replace a key another process made first
    except FileExistsError:
        key = path.read_text().strip()
    finally:
        draft.unlink()
    return key


def _signing_key() -> bytes:
    """The key for new signatures. A new key is made only while nothing was ever signed: a second key over
    signed history would make all of it look forged."""
    try:
        return audit_key()
    except AuditKeyMissing:
        if AuditChain.objects.exclude(signature="").exists() or AuditCheckpoint.objects.exists():
            raise
        return audit_key(create=True)


def _mac(key: bytes, text: str) -> str:
    return hmac.digest(key, text.encode("utf-8"), "sha256").hex()


def event_mac(key: bytes, event_hash: str) -> str:
    return _mac(key, "event|" + event_hash)


def head_signature(key: bytes, head: AuditChain) -> str:
    return _mac(key, f"head|{head.chain}|{head.last_seq}|{head.last_hash}|{head.signed_from}")


def _matches(signature: str, expected: str) -> bool:
    return hmac.compare_digest(signature.encode("ascii", "replace"), expected.encode("ascii"))


# --- Recording ------------------------------------------------------------------------------------
def changes(event: AuditEvent) -> list[tuple[str, object, object]]:
    """(field, before, after) for every field the event touched, for people to read: ID numbers, phones
    and birth dates masked as everywhere on screen (the chain keeps them whole; reading one in full is
    the audited reveal, not the log)."""
    before, after = event.before or {}, event.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [("", _masked("", before), _masked("", after))]
    keys = list(dict.fromkeys([*before, *after]))
    return [(key, _masked(key, before.get(key)), _masked(key, after.get(key))) for key in keys]


def _masked(key: str, value):
    """`value` with every personal number under it masked, by the name of the field that holds it."""
    if isinstance(value, dict):
        return {k: _masked(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(key, item) for item in value]
    if not isinstance(value, str) or not value:
        return value
    name = key.lower()
    if "id_number" in name:
        return masking.mask_id_number(value)
    if "phone" in name or name in {"contact", "mobile"}:
        return masking.mask_phone(value)
    if "birth" in name:
        return masking.mask_birth_date(value)
    return value


def _plain(value):
    """JSON as the database will give it back, so that the hash computed now matches the one read later."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _locked_head(chain: str) -> AuditChain:
    try:
        return AuditChain.objects.select_for_update().get(chain=chain)
    except AuditChain.DoesNotExist:
        # Two first writers of a county may race here; ignore_conflicts lets both go on to the lock.
        AuditChain.objects.bulk_create([AuditChain(chain=chain)], ignore_conflicts=True)
        return AuditChain.objects.select_for_update().get(chain=chain)


class _HeadSigner:
    """Signs the events appended to one locked head, and the head after them.

    A head whose signature does not match is not re-signed: the next write would otherwise launder a head
    that was moved back over removed events. An unsigned head starts being signed (a new chain, or one
    recorded before signing) unless its last event carries a mac, which means its signature was removed.
    """

    def __init__(self, head: AuditChain):
        self.head = head
        self.key = _signing_key()
        if head.signature:
            self.resign = _matches(head.signature, head_signature(self.key, head))
        else:
            self.resign = not _last_mac(head)
            if self.resign:
                head.signed_from = head.last_seq + 1

    def mac(self, event_hash: str) -> str:
        return event_mac(self.key, event_hash)

    def seal_head(self, seq: int, last_hash: str) -> None:
        head = self.head
        head.last_seq, head.last_hash = seq, last_hash
        if self.resign:
            head.signature = head_signature(self.key, head)
        head.save(update_fields=["last_seq", "last_hash", "signed_from", "signature"])


def record(
    *,
    actor,
    action: str,
    region_code: str,
    target=None,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> AuditEvent:
    """Append one event to the chain of `region_code`'s county. Must run inside the write's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must run inside the transaction of the write it records")
    chain = region_code[:6] if region_code else NATIONAL_CHAIN
    head = _locked_head(chain)
    signer = _HeadSigner(head)
    actor = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        chain=chain,
        seq=head.last_seq + 1,
        created_at=timezone.now(),
        actor=actor,
        actor_username=actor.username if actor else "system",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        region_code=region_code or NATIONAL_CHAIN.ljust(12, "0"),
        before=_plain(before),
        after=_plain(after),
        note=note,
        prev_hash=head.last_hash,
    )
    event.hash = event.compute_hash()
    event.mac = signer.mac(event.hash)
    event.save()
    signer.seal_head(event.seq, event.hash)
    return event


def record_many(entries: list[dict]) -> int:
    """Append many events at once (keyword arguments of `record` each), in the given order.

    For scheduled scans that change thousands of rows: each county's chain head is locked once, the
    hashes are chained in Python and the events inserted in bulk. The chain is the same as if `record`
    had been called for each entry in turn.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record_many() must run inside the transaction of the writes it records")
    by_chain: dict[str, list[dict]] = {}
    for entry in entries:
        by_chain.setdefault((entry.get("region_code") or NATIONAL_CHAIN)[:6], []).append(entry)
    for chain, chain_entries in by_chain.items():
        head = _locked_head(chain)
        signer = _HeadSigner(head)
        seq, prev, events = head.last_seq, head.last_hash, []
        for entry in chain_entries:
            actor = entry.get("actor") if getattr(entry.get("actor"), "is_authenticated", False) else None
            target = entry.get("target")
            seq += 1
            event = AuditEvent(
                chain=chain,
                seq=seq,
                created_at=timezone.now(),
                actor=actor,
                actor_username=actor.username if actor else "system",
                action=entry["action"],
                target_type=target._meta.label_lower if target is not None else "",
                target_id=str(target.pk) if target is not None else "",
                target_repr=str(target)[:200] if target is not None else "",
                region_code=entry.get("region_code") or NATIONAL_CHAIN.ljust(12, "0"),
                before=_plain(entry.get("before")),
                after=_plain(entry.get("after")),
                note=entry.get("note", ""),
                prev_hash=prev,
            )
            event.hash = prev = event.compute_hash()
            event.mac = signer.mac(event.hash)
            events.append(event)
        AuditEvent.objects.bulk_create(events, batch_size=1000)
        signer.seal_head(seq, prev)
    return len(entries)


def snapshot(obj, fields: list[str]) -> dict:
    """The named fields of a model instance, for an event's before/after."""
    return {name: getattr(obj, name) for name in fields}


# --- Checkpoints ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint as it is written to a file line, shown in public and stored in the database."""

    chain: str
    seq: int
    hash: str
    time: str  # ISO 8601 in UTC, to the second: the text that is signed
    prev: str
    signature: str

    def signed_text(self) -> str:
        return f"checkpoint|{self.chain}|{self.seq}|{self.hash}|{self.time}|{self.prev}"

    def signed_by(self, key: bytes) -> bool:
        return _matches(self.signature, _mac(key, self.signed_text()))

    def line(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_row(cls, row: AuditCheckpoint) -> "Checkpoint":
        return cls(row.chain, row.seq, row.hash, _time_text(row.created_at), row.prev, row.signature)


def _time_text(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def checkpoint_dir() -> Path:
    return Path(settings.DATA_DIR) / CHECKPOINT_DIR_NAME


def checkpoint_file(chain: str) -> Path:
    return checkpoint_dir() / f"{chain}.jsonl"


def read_checkpoint_lines(chain: str) -> list[tuple[int, Checkpoint | None]]:
    """(line number, checkpoint or None if the line cannot be read) for each non-empty line of the file."""
    try:
        text = checkpoint_file(chain).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            item = Checkpoint(
                chain=str(data["chain"]),
                seq=int(data["seq"]),
                hash=str(data["hash"]),
                time=str(data["time"]),
                prev=str(data["prev"]),
                signature=str(data["signature"]),
            )
        except (ValueError, KeyError, TypeError):
            item = None
        lines.append((number, item))
    return lines


def _append_line(chain: str, checkpoint: Checkpoint) -> None:
    path = checkpoint_file(chain)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(checkpoint.line() + "\n")
        handle.flush()
        os.fsync(handle.fileno())


# --- Verifying ------------------------------------------------------------------------------------
@dataclass
class ChainProblem:
    chain: str
    seq: int
    event_id: int | None
    reason: str
    checkpoint: bool = False  # the problem lies in a checkpoint (seq is the checkpoint's), not an event

    def __str__(self):
        if self.checkpoint and not self.seq:
            where = _("checkpoints of %(chain)s") % {"chain": self.chain}
        elif self.checkpoint:
            where = _("checkpoint %(chain)s@%(seq)s") % {"chain": self.chain, "seq": self.seq}
        else:
            where = _("event %(chain)s#%(seq)s") % {"chain": self.chain, "seq": self.seq}
        if self.event_id is not None:
            where += f" (id={self.event_id})"
        return f"{where}: {self.reason}"


@dataclass
class ChainReport:
    chain: str
    events: int
    problem: ChainProblem | None
    checkpoints: int = 0
    last_checkpoint: Checkpoint | None = None


@dataclass
class _Checkpoints:
    """A chain's checkpoints: the ones whose signature holds (file and database), and what is wrong."""

    anchors: dict[int, Checkpoint]
    in_file: int
    file_problem: ChainProblem | None
    copy_problem: ChainProblem | None

    @property
    def last(self) -> Checkpoint | None:
        return self.anchors[max(self.anchors)] if self.anchors else None


def _load_checkpoints(chain: str, key: bytes) -> _Checkpoints:
    """Check the file first (the trusted copy: each line signed and following the previous one), then the
    database's copy against it. Database rows with a good signature are anchors too: a database writer can
    remove them but not forge them."""
    anchors: dict[int, Checkpoint] = {}
    file_problem = copy_problem = None
    file_lines = read_checkpoint_lines(chain)
    previous = None
    for number, item in file_lines:
        where = {"line": number, "file": checkpoint_file(chain).name}
        if item is None or item.chain != chain:
            reason = _("line %(line)s of %(file)s cannot be read as a checkpoint of this chain") % where
            file_problem = ChainProblem(chain, 0, None, reason, True)
            break
        if not item.signed_by(key):
            reason = _("line %(line)s of %(file)s does not match its signature: the line was changed") % where
            file_problem = ChainProblem(chain, item.seq, None, reason, True)
            break
        if item.prev != (previous.signature if previous else "") or (previous and item.seq <= previous.seq):
            removed = _(
                "line %(line)s of %(file)s does not follow the line before it: a checkpoint line was removed"
            )
            reason = removed % where
            file_problem = ChainProblem(chain, item.seq, None, reason, True)
            break
        anchors[item.seq] = previous = item
    in_file = dict(anchors)

    rows = [Checkpoint.from_row(row) for row in AuditCheckpoint.objects.filter(chain=chain).order_by("seq")]
    for row in rows:
        if not row.signed_by(key):
            copy_problem = copy_problem or ChainProblem(
                chain, row.seq, None, _("the database's checkpoint does not match its signature"), True
            )
            continue
        anchors.setdefault(row.seq, row)
        if file_problem:
            continue
        if not file_lines:
            reason = _("the checkpoint file %(file)s is missing but the database holds its checkpoints") % {
                "file": checkpoint_file(chain).name
            }
        elif row.seq not in in_file:
            reason = _("the checkpoint is missing from the file %(file)s: its line was removed") % {
                "file": checkpoint_file(chain).name
            }
        elif in_file[row.seq] != row:
            reason = _("the database's copy of the checkpoint differs from the file")
        else:
            continue
        copy_problem = copy_problem or ChainProblem(chain, row.seq, None, reason, True)
    if not file_problem and not copy_problem:
        stored = {row.seq for row in rows}
        for seq in in_file:
            if seq not in stored:
                reason = _("the checkpoint of the file is missing from the database")
                copy_problem = ChainProblem(chain, seq, None, reason, True)
                break
    return _Checkpoints(anchors, len(in_file), file_problem, copy_problem)


EVENT_COLUMNS = (
    "pk",
    "seq",
    "utc_time",
    "actor_id",
    "actor_username",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "region_code",
    "before",
    "after",
    "note",
    "prev_hash",
    "hash",
    "mac",
)


def _stream(chain: str, start_seq: int, end_seq: int):
    """The events start_seq..end_seq of a chain as tuples of EVENT_COLUMNS, as the driver returns them.

    One indexed range query per VERIFY_CHUNK sequence numbers: PostgreSQL would otherwise sort the whole
    chain on disk before the first row, and no cursor or transaction stays open during the walk. The
    rows skip Django's per-value converters, which would cost about as much as the hashing itself; the
    two values whose form differs by database are converted by `_utc_text` and `_json_value`.
    """
    events = (
        AuditEvent.objects.filter(chain=chain)
        .annotate(utc_time=_UtcText("created_at"))
        .order_by("seq")
        .values_list(*EVENT_COLUMNS)
    )
    low = start_seq
    while low <= end_seq:
        high = min(low + VERIFY_CHUNK - 1, end_seq)
        sql, params = events.filter(seq__gte=low, seq__lte=high).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        yield from rows
        low = high + 1


class _UtcText(Func):
    """An event's time as text in UTC, made by the database: parsing a datetime per row in Python costs
    more than hashing the row. `_utc_text` completes it to what `sealed_content` writes."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection):
        column, params = compiler.compile(self.source_expressions[0])
        return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')", params

    def as_sqlite(self, compiler, connection):
        column, params = compiler.compile(self.source_expressions[0])  # stored as naive UTC text
        return f"REPLACE({column}, ' ', 'T')", params

    def as_sql(self, compiler, connection, **extra):
        return compiler.compile(self.source_expressions[0])  # another database: a datetime


def _utc_text(value) -> str:
    """The time as `sealed_content` writes it, from `_UtcText`'s text (or a datetime)."""
    if isinstance(value, str):
        if len(value) == 19:  # SQLite leaves out a zero fraction
            value += ".000000"
        return value + "+00:00"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


_decode_json = json.JSONDecoder().decode


def _json_value(value):
    """A JSON column's value as the ORM would give it: the drivers hand over its text."""
    return _decode_json(value) if isinstance(value, str) else value


@dataclass
class _Walk:
    events: int
    last_seq: int
    last_hash: str
    problem: ChainProblem | None


def _walk(
    chain: str,
    key: bytes,
    *,
    start_seq: int,
    start_hash: str,
    end_seq: int,
    signed_from: int,
    anchors: dict[int, Checkpoint],
) -> _Walk:
    """Stream the events start_seq..end_seq as plain tuples, recomputing each hash and mac.

    `trusted` is the last event whose hash is proven (by its mac or a checkpoint): when an event's mac or a
    checkpoint fails, the first changed event lies after it, so a stretch rewritten with recomputed hashes
    is named from its first event when that one carries a mac, else from the first after the last proof.
    """
    expected_seq, expected_prev, trusted, seen_mac, count = start_seq, start_hash, start_seq - 1, False, 0

    def rewritten(seq: int, event_id: int, reason: str) -> ChainProblem:
        if trusted == seq - 1:
            return ChainProblem(chain, seq, event_id, reason)
        first = trusted + 1
        first_id = AuditEvent.objects.filter(chain=chain, seq=first).values_list("pk", flat=True).first()
        reason = _(
            "events %(first)s to %(last)s were rewritten with recomputed hashes; the first changed event is "
            "among them, from %(first)s on (%(detail)s)"
        ) % {"first": first, "last": seq, "detail": reason}
        return ChainProblem(chain, first, first_id, reason)

    for row in _stream(chain, start_seq, end_seq):
        (pk, seq, created_at, actor_id, actor_name, action, t_type, t_id, t_repr, region, before, after) = (
            row[:12]
        )
        note, prev_hash, stored_hash, mac = row[12:]
        count += 1
        if seq != expected_seq:
            reason = _("events %(first)s to %(last)s are missing") % {"first": expected_seq, "last": seq - 1}
            return _Walk(
                count, expected_seq - 1, expected_prev, ChainProblem(chain, expected_seq, None, reason)
            )
        if prev_hash != expected_prev:
            reason = _("the link to the previous event does not match (the previous event was changed)")
            return _Walk(count, seq - 1, expected_prev, ChainProblem(chain, seq, pk, reason))
        event_hash = seal_hash(
            {
                "chain": chain,
                "seq": seq,
                "created_at": _utc_text(created_at),
                "actor_id": actor_id,
                "actor_username": actor_name,
                "action": action,
                "target_type": t_type,
                "target_id": t_id,
                "target_repr": t_repr,
                "region_code": region,
                "before": _json_value(before),
                "after": _json_value(after),
                "note": note,
                "prev_hash": prev_hash,
            }
        )
        if event_hash != stored_hash:
            reason = _("the content does not match its hash (the event was changed)")
            return _Walk(count, seq - 1, expected_prev, ChainProblem(chain, seq, pk, reason))
        if mac:
            if not _matches(mac, event_mac(key, event_hash)):
                reason = _("its signature does not match: it was rewritten in the database")
                return _Walk(count, seq - 1, expected_prev, rewritten(seq, pk, reason))
            seen_mac, trusted = True, seq
        elif seen_mac or (signed_from and seq >= signed_from):
            reason = _("it carries no signature although the chain was signed then: it was rewritten")
            return _Walk(count, seq - 1, expected_prev, rewritten(seq, pk, reason))
        anchor = anchors.get(seq)
        if anchor is not None:
            if anchor.hash != event_hash:
                reason = _("its hash differs from the checkpoint of %(time)s") % {"time": anchor.time}
                return _Walk(count, seq - 1, expected_prev, rewritten(seq, pk, reason))
            trusted = seq
        expected_seq, expected_prev = seq + 1, event_hash
    if expected_seq <= end_seq:
        reason = _("events %(first)s to %(last)s are missing") % {"first": expected_seq, "last": end_seq}
        return _Walk(count, expected_seq - 1, expected_prev, ChainProblem(chain, expected_seq, None, reason))
    return _Walk(count, expected_seq - 1, expected_prev, None)


def _last_mac(head: AuditChain) -> str:
    """The mac of the head's event: empty if the chain was never signed (or that event predates signing)."""
    query = AuditEvent.objects.filter(chain=head.chain, seq=head.last_seq).values_list("mac", flat=True)
    return query.first() or ""


def _head_problem(
    chain: str, head: AuditChain | None, walk: _Walk, key: bytes, unsigned_ok: bool = False
) -> ChainProblem | None:
    next_seq = walk.last_seq + 1
    if head is None:
        if walk.events:
            return ChainProblem(chain, next_seq, None, _("the chain's head is missing from the database"))
        return None
    if (head.last_seq, head.last_hash) != (walk.last_seq, walk.last_hash):
        reason = _("the chain ends at %(seq)s but its head records %(head)s: events were removed") % {
            "seq": walk.last_seq,
            "head": head.last_seq,
        }
        return ChainProblem(chain, next_seq, None, reason)
    if not head.signature:
        if head.last_seq == 0 or unsigned_ok:
            return None
        reason = _(
            "the chain's head is not signed: its signature was removed, or the chain predates signing "
            "(then `audit checkpoint` checks and signs it)"
        )
        return ChainProblem(chain, next_seq, None, reason)
    if not _matches(head.signature, head_signature(key, head)):
        reason = _(
            "the chain's head does not match its signature: it was changed in the database, for instance "
            "moved back over removed events"
        )
        return ChainProblem(chain, next_seq, None, reason)
    return None


def _events_beyond(chain: str, head: AuditChain | None) -> ChainProblem | None:
    """Events past the head read before the walk: new appends, unless the head is still the same."""
    last_seq = head.last_seq if head else 0
    beyond = AuditEvent.objects.filter(chain=chain, seq__gt=last_seq).order_by("seq").values_list("pk", "seq")
    first = beyond.first()
    if first is None:
        return None
    now = AuditChain.objects.filter(chain=chain).values_list("last_seq", "last_hash").first()
    if head is not None and now != (head.last_seq, head.last_hash):
        return None  # written while we walked
    reason = _("the event lies beyond the chain's head: the head was moved back")
    return ChainProblem(chain, first[1], first[0], reason)


def verify_chain(chain: str, key: bytes | None = None) -> ChainReport:
    """Check one chain against its hashes, its signatures and its checkpoints; name the first problem.

    The head is read first and the events up to it are walked outside a transaction (an open transaction
    on SQLite would hold the write lock for the whole walk): events appended meanwhile are not judged.
    """
    key = key or audit_key()
    head = AuditChain.objects.filter(chain=chain).first()
    checkpoints = _load_checkpoints(chain, key)
    last_anchor = max(checkpoints.anchors, default=0)
    walk = _walk(
        chain,
        key,
        start_seq=1,
        start_hash=GENESIS_HASH,
        end_seq=max(head.last_seq if head else 0, last_anchor),
        signed_from=head.signed_from if head and head.signature else 0,
        anchors=checkpoints.anchors,
    )
    problem = (
        checkpoints.file_problem
        or walk.problem
        or _head_problem(chain, head, walk, key)
        or _events_beyond(chain, head)
        or checkpoints.copy_problem
    )
    return ChainReport(chain, walk.events, problem, checkpoints.in_file, checkpoints.last)


def all_chains() -> list[str]:
    return sorted(
        set(AuditChain.objects.values_list("chain", flat=True))
        | set(AuditEvent.objects.order_by().values_list("chain", flat=True).distinct())
        | set(AuditCheckpoint.objects.order_by().values_list("chain", flat=True).distinct())
        | {path.stem for path in checkpoint_dir().glob("*.jsonl")}
    )


def verify(chains: list[str] | None = None) -> list[ChainReport]:
    """Check every county's chain (or the ones named); one report per chain. Raises AuditKeyMissing."""
    key = audit_key()
    return [verify_chain(chain, key) for chain in (chains if chains is not None else all_chains())]


# --- Writing checkpoints --------------------------------------------------------------------------
@dataclass
class CheckpointResult:
    chain: str
    checkpoint: Checkpoint | None  # the one written, or the latest when nothing new happened
    written: bool
    problem: ChainProblem | None = None


def checkpoint_chain(chain: str, key: bytes, now: datetime | None = None) -> CheckpointResult:
    """Check the events since the chain's last checkpoint, then write one for its head (database, file).

    Idempotent: a chain whose head is already checkpointed gets nothing new. A chain that fails the check
    gets no checkpoint (that would bless the damage). A head that was never signed (recorded before
    signing) is signed here once the whole chain has been checked.
    """
    head = AuditChain.objects.filter(chain=chain).first()
    if head is None or head.last_seq == 0:
        return CheckpointResult(chain, None, False)
    checkpoints = _load_checkpoints(chain, key)
    last = checkpoints.last
    problem = checkpoints.file_problem or checkpoints.copy_problem
    if problem is None and last is not None and last.seq > head.last_seq:
        reason = _("the chain ends at %(seq)s but its head records %(head)s: events were removed") % {
            "seq": head.last_seq,
            "head": last.seq,
        }
        problem = ChainProblem(chain, head.last_seq + 1, None, reason)
    if problem is None:
        walk = _walk(
            chain,
            key,
            start_seq=last.seq + 1 if last else 1,
            start_hash=last.hash if last else GENESIS_HASH,
            end_seq=head.last_seq,
            signed_from=head.signed_from if head.signature else 0,
            anchors={},
        )
        problem = walk.problem or _head_problem(chain, head, walk, key, unsigned_ok=not _last_mac(head))
    if problem is not None:
        return CheckpointResult(chain, last, False, problem)
    if last is not None and last.seq == head.last_seq:
        return CheckpointResult(chain, last, False)
    moment = _time_text(now or timezone.now())
    with transaction.atomic():
        locked = AuditChain.objects.select_for_update().get(chain=chain)
        latest = (
            AuditCheckpoint.objects.filter(chain=chain).order_by("-seq").values_list("seq", flat=True).first()
        )
        if latest is not None and (last is None or latest != last.seq):
            # Another checkpoint run got here first; its checkpoint stands.
            return CheckpointResult(chain, last, False)
        if not locked.signature and (locked.last_seq, locked.last_hash) == (head.last_seq, head.last_hash):
            locked.signed_from = locked.last_seq + 1
            locked.signature = head_signature(key, locked)
            locked.save(update_fields=["signed_from", "signature"])
        unsigned = Checkpoint(
            chain, head.last_seq, head.last_hash, moment, last.signature if last else "", ""
        )
        made = Checkpoint(**{**asdict(unsigned), "signature": _mac(key, unsigned.signed_text())})
        AuditCheckpoint.objects.create(
            chain=chain,
            seq=made.seq,
            hash=made.hash,
            created_at=datetime.fromisoformat(made.time),
            prev=made.prev,
            signature=made.signature,
        )
        # Inside the transaction: if the line cannot be written, the database row is not kept either.
        _append_line(chain, made)
    return CheckpointResult(chain, made, True)


def checkpoint(chains: list[str] | None = None, now: datetime | None = None) -> list[CheckpointResult]:
    """Write a checkpoint for every chain (or the ones named) whose head moved since its last one."""
    key = _signing_key()
    chains = chains if chains is not None else sorted(AuditChain.objects.values_list("chain", flat=True))
    return [checkpoint_chain(chain, key, now) for chain in chains]


def public_checkpoints(latest: int = 50) -> list[dict]:
    """What the public page shows: per chain, the latest checkpoints of the file (newest first).

    The page reads the files, not the database, so that what the public copies is what the database's
    administrator cannot change. Unreadable lines are left out here; `verify` names them.
    """
    listing = []
    for path in sorted(checkpoint_dir().glob("*.jsonl")):
        items = [item for _number, item in read_checkpoint_lines(path.stem) if item is not None]
        if items:
            listing.append({"chain": path.stem, "count": len(items), "latest": items[::-1][:latest]})
    return listing
