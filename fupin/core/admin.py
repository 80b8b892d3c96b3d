"""Configuration pages for county administrators. Every save goes through a service or is audited."""

from contextvars import ContextVar

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from . import policy, services, workdays
from .errors import DomainError
from .models import AuditEvent, CalendarDay, PolicySetting, Region, User


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name", "parent"]

    def clean(self):
        data = super().clean()
        try:
            if self.instance._state.adding:
                services.check_new_region(data.get("code"), data.get("name"), data.get("parent"))
        except DomainError as exc:
            raise forms.ValidationError(exc.fields or exc.message) from exc
        return data


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    form = RegionForm
    list_display = ["code", "name", "level", "kind", "parent"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    readonly_fields = ["level", "kind"]

    def get_readonly_fields(self, request, obj=None):
        # A code is an identity: rows in every module point at it, so it never changes once saved.
        return [*self.readonly_fields, "code", "parent"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.rename_region(request.user, obj, data["name"])
        else:
            created = services.create_region(
                request.user, code=data["code"], name=data["name"], parent=data.get("parent")
            )
            obj.level, obj.kind, obj._state = created.level, created.kind, created._state

    def has_delete_permission(self, request, obj=None):
        return False


# The request of the admin's password page, for the form's save (Django builds the form without it).
_password_request: ContextVar = ContextVar("password_request")


class PasswordResetForm(AdminPasswordChangeForm):
    """The admin's "change password" form, saved through services.reset_password: tokens revoked, the
    user's sessions ended, audited."""

    def save(self, commit=True):
        request = _password_request.get()
        own = request.user.pk == self.user.pk
        new_password = (
            self.cleaned_data["password1"] if self.cleaned_data.get("set_usable_password") else None
        )
        services.reset_password(
            request.user,
            self.user,
            new_password,
            keep_session_key=request.session.session_key if own else None,
        )
        return self.user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    change_password_form = PasswordResetForm

    list_display = ["username", "display_name", "region", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "roles"]
    search_fields = ["username", "display_name", "unit"]
    raw_id_fields = ["region"]
    filter_horizontal = ["roles", "groups", "user_permissions"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["display_name", "unit", "phone", "email"]}),
        (_("Area and roles"), {"fields": ["region", "roles"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "password1", "password2"]}),
        (_("Area and roles"), {"fields": ["display_name", "unit", "region", "roles"]}),
    ]

    def save_model(self, request, obj, form, change):
        pass  # saved with its roles in save_related, by one service call

    def save_related(self, request, form, formsets, change):
        # The user row and its roles are saved together, so that the audit event sees both.
        services.save_user(request.user, form.instance, save_relations=form.save_m2m)

    def user_change_password(self, request, id, form_url=""):
        token = _password_request.set(request)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _password_request.reset(token)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: audit events keep pointing at the user


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    form = CalendarDayForm
    list_display = ["date", "kind", "name", "source"]
    list_filter = ["kind", "source"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        workdays.set_day(request.user, obj.date, obj.kind, obj.name)

    def has_delete_permission(self, request, obj=None):
        return False


class PolicySettingForm(forms.ModelForm):
    class Meta:
        model = PolicySetting
        fields = ["key", "region", "year", "value", "note"]

    def clean(self):
        # The definitions live in policy.py, which stands on the models: the check belongs here, not there.
        data = super().clean()
        definition = policy.POLICIES.get(data.get("key"))
        if definition is None:
            raise forms.ValidationError({"key": _("Unknown policy setting.")})
        if "value" in data:
            try:
                data["value"] = str(definition.parse(data["value"]))
            except ValueError as exc:
                raise forms.ValidationError({"value": str(exc)}) from exc
        return data


@admin.register(PolicySetting)
class PolicySettingAdmin(admin.ModelAdmin):
    form = PolicySettingForm
    list_display = ["key", "region", "year", "value", "note"]
    list_filter = ["key"]
    raw_id_fields = ["region"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "key":
            return forms.ChoiceField(
                label=db_field.verbose_name,
                choices=[(k, f"{p.label} ({k})") for k, p in policy.POLICIES.items()],
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        policy.set_value(request.user, obj.key, obj.region, obj.year, obj.value, obj.note)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["chain", "seq", "created_at", "actor_username", "action", "target_repr", "region_code"]
    list_filter = ["action"]
    search_fields = ["actor_username", "target_repr", "region_code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
