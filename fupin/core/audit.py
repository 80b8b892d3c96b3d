"""The audit chain (DESIGN.md §3).

Every write service calls `record()` inside its own transaction, so that the change and its event commit
or roll back together. Each county has one chain: event n stores the SHA-256 of event n-1, and its own hash
covers its content and that link. Editing or deleting any event (or cutting the tail) breaks the chain at
that point, and `verify()` names the first broken event.
"""

import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import GENESIS_HASH, AuditChain, AuditEvent

NATIONAL_CHAIN = "000000"  # for settings that belong to no county, such as the calendar

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


def changes(event: AuditEvent) -> list[tuple[str, object, object]]:
    """(field, before, after) for every field the event touched, for people to read."""
    before, after = event.before or {}, event.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [("", before, after)]
    keys = list(dict.fromkeys([*before, *after]))
    return [(key, before.get(key), after.get(key)) for key in keys]


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
    event.save()
    head.last_seq, head.last_hash = event.seq, event.hash
    head.save(update_fields=["last_seq", "last_hash"])
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
            events.append(event)
        AuditEvent.objects.bulk_create(events, batch_size=1000)
        head.last_seq, head.last_hash = seq, prev
        head.save(update_fields=["last_seq", "last_hash"])
    return len(entries)


def snapshot(obj, fields: list[str]) -> dict:
    """The named fields of a model instance, for an event's before/after."""
    return {name: getattr(obj, name) for name in fields}


@dataclass
class ChainProblem:
    chain: str
    seq: int
    event_id: int | None
    reason: str

    def __str__(self):
        where = _("event %(chain)s#%(seq)s") % {"chain": self.chain, "seq": self.seq}
        if self.event_id is not None:
            where += f" (id={self.event_id})"
        return f"{where}: {self.reason}"


@dataclass
class ChainReport:
    chain: str
    events: int
    problem: ChainProblem | None


def verify_chain(chain: str) -> ChainReport:
    expected_seq, expected_prev, count = 1, GENESIS_HASH, 0
    events = AuditEvent.objects.filter(chain=chain).order_by("seq")
    with transaction.atomic():  # one consistent snapshot on PostgreSQL
        for event in events.iterator(chunk_size=2000):
            count += 1
            if event.seq != expected_seq:
                reason = _("events %(first)s to %(last)s are missing") % {
                    "first": expected_seq,
                    "last": event.seq - 1,
                }
                return ChainReport(chain, count, ChainProblem(chain, expected_seq, None, reason))
            if event.prev_hash != expected_prev:
                reason = _("the link to the previous event does not match (the previous event was changed)")
                return ChainReport(chain, count, ChainProblem(chain, event.seq, event.pk, reason))
            if event.compute_hash() != event.hash:
                reason = _("the content does not match its hash (the event was changed)")
                return ChainReport(chain, count, ChainProblem(chain, event.seq, event.pk, reason))
            expected_seq, expected_prev = event.seq + 1, event.hash
        head = AuditChain.objects.filter(chain=chain).first()
        if head is not None and (head.last_seq, head.last_hash) != (expected_seq - 1, expected_prev):
            reason = _("the chain ends at %(seq)s but its head records %(head)s: events were removed") % {
                "seq": expected_seq - 1,
                "head": head.last_seq,
            }
            return ChainReport(chain, count, ChainProblem(chain, expected_seq, None, reason))
    return ChainReport(chain, count, None)


def verify(chains: list[str] | None = None) -> list[ChainReport]:
    """Check every county's chain (or the ones named); one report per chain."""
    if chains is None:
        chains = sorted(
            set(AuditChain.objects.values_list("chain", flat=True))
            | set(AuditEvent.objects.order_by().values_list("chain", flat=True).distinct())
        )
    return [verify_chain(chain) for chain in chains]
