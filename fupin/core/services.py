"""Writes of the foundation: regions, users and roles, API tokens. Each is one audited transaction."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from . import audit, clock
from .enums import PREFIX_LENGTH, RegionKind, RegionLevel, Role
from .errors import DomainError
from .models import ApiToken, Region, RoleDefinition, User


# --- Regions --------------------------------------------------------------------------------------
def level_of(code: str) -> RegionLevel:
    """The level a 12-digit code denotes, read from where its trailing zeros begin."""
    for level in (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWN):
        if set(code[PREFIX_LENGTH[level] :]) == {"0"}:
            return level
    return RegionLevel.VILLAGE


def kind_of(code: str, level: RegionLevel) -> str:
    """街道/镇/乡 and 居委会/村委会 follow from the number ranges of the statistical code."""
    if level == RegionLevel.TOWN:
        number = int(code[6:9])
        if 1 <= number <= 99:
            return RegionKind.SUBDISTRICT
        if 100 <= number <= 199:
            return RegionKind.TOWN
        if 200 <= number <= 399:
            return RegionKind.TOWNSHIP
        return RegionKind.OTHER
    if level == RegionLevel.VILLAGE:
        number = int(code[9:12])
        if 1 <= number <= 199:
            return RegionKind.RESIDENTS_COMMITTEE
        if 200 <= number <= 399:
            return RegionKind.VILLAGE_COMMITTEE
        return RegionKind.OTHER
    return ""


def validate_region_code(code) -> str:
    code = str(code or "").strip()
    if len(code) != 12 or not code.isdigit():
        raise DomainError(_("A region code has exactly 12 digits."), field="code", code="invalid_region_code")
    return code


def check_new_region(code: str, name: str, parent: Region | None) -> tuple[str, str, RegionLevel]:
    """The checks a new region must pass; the admin form runs them before saving, too."""
    code = validate_region_code(code)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("The name is required."), field="name")
    if Region.objects.filter(code=code).exists():
        raise DomainError(_("Region code %(code)s is already used.") % {"code": code}, field="code")
    level = level_of(code)
    if parent is not None and (
        not code.startswith(parent.prefix) or PREFIX_LENGTH[level] <= PREFIX_LENGTH[parent.level]
    ):
        raise DomainError(
            _("Code %(code)s does not lie inside %(parent)s (%(prefix)s…).")
            % {"code": code, "parent": parent.name, "prefix": parent.prefix},
            field="code",
        )
    return code, name, level


@transaction.atomic
def create_region(actor, *, code: str, name: str, parent: Region | None = None) -> Region:
    code, name, level = check_new_region(code, name, parent)
    region = Region.objects.create(
        code=code, name=name, level=level, kind=kind_of(code, level), parent=parent
    )
    audit.record(
        actor=actor,
        action="region.create",
        region_code=code,
        target=region,
        after={"code": code, "name": name, "level": level, "parent": parent.code if parent else None},
    )
    return region


@transaction.atomic
def rename_region(actor, region: Region, name: str) -> Region:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("The name is required."), field="name")
    before = {"name": region.name}
    region.name = name
    region.save(update_fields=["name"])
    audit.record(
        actor=actor,
        action="region.rename",
        region_code=region.code,
        target=region,
        before=before,
        after={"name": name},
    )
    return region


# --- Users and roles ------------------------------------------------------------------------------
def ensure_role_definitions() -> None:
    """The role rows come with the migrations; a database flushed by tests gets them back here."""
    if RoleDefinition.objects.count() != len(Role.values):
        RoleDefinition.objects.bulk_create(
            [RoleDefinition(code=c) for c in Role.values], ignore_conflicts=True
        )


def user_snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "region": user.region_id,
        "roles": sorted(user.roles.values_list("code", flat=True)) if user.pk else [],
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
    }


@transaction.atomic
def create_user(
    actor,
    *,
    username: str,
    password: str,
    region: Region,
    roles: list[str],
    display_name: str = "",
    unit: str = "",
    phone: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    password_hash: str | None = None,
) -> User:
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise DomainError(_("Unknown role: %(roles)s") % {"roles": ", ".join(sorted(unknown))}, field="roles")
    if User.objects.filter(username=username).exists():
        raise DomainError(_("User name %(name)s is taken.") % {"name": username}, field="username")
    ensure_role_definitions()
    user = User(
        username=username,
        region=region,
        display_name=display_name,
        unit=unit,
        phone=phone,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    if password_hash:
        user.password = password_hash  # the demo hashes its one public password once for all its users
    else:
        user.set_password(password)
    user.save()
    user.roles.set(roles)
    audit.record(
        actor=actor, action="user.create", region_code=region.code, target=user, after=user_snapshot(user)
    )
    return user


@transaction.atomic
def save_user(actor, user: User, save_relations=None) -> User:
    """Save a user edited on the configuration pages, then its roles and permissions (`save_relations`,
    the form's `save_m2m`), and audit what changed: all of it or nothing."""
    before = user_snapshot(User.objects.get(pk=user.pk)) if user.pk else None
    user.save()
    if save_relations is not None:
        save_relations()
    after = user_snapshot(user)
    if before != after:
        audit.record(
            actor=actor,
            action="user.create" if before is None else "user.change",
            region_code=user.region_id or "",
            target=user,
            before=before,
            after=after,
        )
    return user


# --- API tokens -----------------------------------------------------------------------------------
TOKEN_PREFIX = "fp_"


@transaction.atomic
def issue_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`. The plain key is returned once and never stored."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=(name or "")[:60],
        key_hash=ApiToken.hash_key(key),
        key_prefix=key[:10],
        expires_at=clock.now() + settings.API_TOKEN_LIFETIME,
    )
    audit.record(
        actor=user,
        action="token.issue",
        region_code=user.region_id or "",
        target=token,
        after={"name": token.name, "prefix": token.key_prefix, "expires_at": token.expires_at},
    )
    return token, key


@transaction.atomic
def revoke_token(actor: User, token: ApiToken, *, action: str = "token.revoke") -> ApiToken:
    """Revoke one token; `action` says why in the audit chain (token.revoke, or auth.logout by the API)."""
    if token.revoked_at is not None:
        raise DomainError(_("This token was already revoked."), code="already_revoked")
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action=action,
        region_code=token.user.region_id or "",
        target=token,
        after={"revoked_at": token.revoked_at},
    )
    return token


LAST_USED_RESOLUTION = timedelta(minutes=5)


def _roles_of_token_user() -> str:
    """SQL for the token's user's role codes joined by commas (the through table holds the codes)."""
    through = User.roles.through._meta
    user_column = through.get_field("user").column
    role_column = through.get_field("roledefinition").column
    join = "string_agg" if connection.vendor == "postgresql" else "group_concat"
    return (
        f'SELECT {join}("{role_column}", \',\') FROM "{through.db_table}" '  # noqa: S608 (names from the models)
        f'WHERE "{user_column}" = "{ApiToken._meta.db_table}"."user_id"'
    )


def token_for_key(key: str) -> ApiToken | None:
    """The live token of an active user that `key` opens, or None for an unknown, expired or revoked one."""
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__region")
        .annotate(role_list=RawSQL(_roles_of_token_user(), []))
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, expires_at__gt=clock.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    # The user's role codes came with the token (one query per request, not two): `role_codes` is a
    # cached_property, filled here as it would fill itself.
    token.user.__dict__["role_codes"] = frozenset(code for code in (token.role_list or "").split(",") if code)
    now = clock.now()
    # Only a coarse "last used", so that reads do not turn into a write per request.
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def user_for_token(key: str) -> User | None:
    """The active user a bearer token belongs to, or None for an unknown, expired or revoked token."""
    token = token_for_key(key)
    return token.user if token else None


# --- Passwords ------------------------------------------------------------------------------------
class WrongPassword(DomainError):
    code = "wrong_password"


def check_new_password(user: User, new_password: str) -> None:
    """Django's validators (settings.AUTH_PASSWORD_VALIDATORS), their messages joined, on `new_password`."""
    if not new_password:
        raise DomainError(_("Enter the new password."), field="new_password", code="weak_password")
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="new_password", code="weak_password") from exc


@transaction.atomic
def change_own_password(
    user: User, old_password: str, new_password: str, *, keep_session_key: str | None = None
) -> dict:
    """A user changes their own password. Side effects: every API token of the user is revoked and every
    session but `keep_session_key` (the one the change was made in) ends; audited as user.password_change.
    """
    if not user.check_password(old_password or ""):
        raise WrongPassword(_("The current password is wrong."), field="old_password")
    if new_password == old_password:
        raise DomainError(
            _("The new password must differ from the current one."),
            field="new_password",
            code="weak_password",
        )
    check_new_password(user, new_password)
    return _replace_password(user, user, new_password, "user.password_change", keep_session_key)


@transaction.atomic
def reset_password(
    actor: User, user: User, new_password: str | None, *, keep_session_key: str | None = None
) -> dict:
    """An administrator sets someone's password (None: no password can log in). Side effects: every API
    token of the user is revoked and every session of the user ends (but `keep_session_key`, the admin's
    own when they reset their own password); audited as user.password_reset.
    """
    if new_password is not None:
        check_new_password(user, new_password)
    return _replace_password(actor, user, new_password, "user.password_reset", keep_session_key)


def _replace_password(actor, user: User, new_password: str | None, action: str, keep_session_key) -> dict:
    if new_password is None:
        user.set_unusable_password()
    else:
        user.set_password(new_password)
    user.save(update_fields=["password"])
    ended = {
        "tokens_revoked": revoke_all_tokens(user),
        "sessions_ended": end_sessions(user, keep_session_key),
    }
    # The password itself, even hashed, stays out of the chain.
    audit.record(actor=actor, action=action, region_code=user.region_id or "", target=user, after=ended)
    return ended


def revoke_all_tokens(user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=clock.now())


def end_sessions(user: User, keep_session_key: str | None = None) -> int:
    """Delete the user's stored sessions but one. (Django would also refuse them at their next request,
    since a session carries a hash of the password; deleting them says so at once and leaves no copy.)
    """
    ended = []
    for session in Session.objects.filter(expire_date__gt=clock.now()).iterator():
        if session.session_key != keep_session_key and session.get_decoded().get(SESSION_KEY) == str(user.pk):
            ended.append(session.session_key)
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)
