"""Two guards in front of every view.

- Control characters in any query parameter or submitted form field are refused before a view sees them
  (a NUL would be a database error on PostgreSQL, the others break exports and hide text from readers):
  the page comes back with a Chinese message naming the field, the API answers 400 in its error shape.
- A `DomainError` that a page's view did not catch on a POST becomes a message on that page.
- Every answer under /api/v1/ is JSON in the one error shape `{code, message, fields}`: Django's own 404
  (unknown paths, ids that are not numbers), ninja's 405 and the 500 of an unexpected error are rewritten.
"""

from functools import cache

from django.apps import apps
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .errors import DomainError
from .inputs import CONTROL_CHARACTERS, check_text

API_PREFIX = "/api/v1/"
API_ERRORS = {
    403: ("forbidden", gettext_noop("Your role does not allow this action.")),
    404: ("not_found", gettext_noop("Not found, or outside your area.")),
    405: ("method_not_allowed", gettext_noop("This method is not allowed here.")),
    500: ("server_error", gettext_noop("Something went wrong on the server; please try again later.")),
}


# Employment left benefits (issue 14); their pages share field names, so each looks in the other next.
COMPANION_APPS = {"benefits": "employment", "employment": "benefits"}


@cache
def _labels(app_label: str | None) -> dict[str, str]:
    """Field name → the label people know it by: the first model field of that name, in the page's own
    app first, then in its companion's."""
    labels = {}
    companion = COMPANION_APPS.get(app_label)
    models = sorted(
        apps.get_models(),
        key=lambda model: (model._meta.app_label != app_label, model._meta.app_label != companion),
    )
    for model in models:
        for field in model._meta.concrete_fields:
            labels.setdefault(field.name, str(field.verbose_name))
    return labels


def label_for(name: str, app_label: str | None = None) -> str:
    base = name.rsplit("-", 1)[-1]  # formset fields are "m-0-name"
    return _labels(app_label).get(base) or _("The field “%(name)s”") % {"name": name}


def _app_of(request) -> str | None:
    try:
        return resolve(request.path_info).app_name or None
    except Resolver404:
        return None


def _back(request) -> str:
    """The page a form was sent from (many forms post to an action URL that only takes POST)."""
    referer = request.META.get("HTTP_REFERER", "")
    if url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        return referer
    return request.path


def error_json(status: int, code: str, message: str, fields: dict | None = None) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "fields": fields or {}}, status=status)


class InputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = self._refused(request)
        if refused is not None:
            return refused
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX):
            return self._api_shape(response)
        return response

    def process_exception(self, request, exception):
        """A refusal no view caught (an overlong text found on save, say) is a message on the page the
        form came from, not an error page. Pages that are only read never get here with bad filters:
        they parse them with `inputs.param`."""
        if not isinstance(exception, DomainError) or request.path.startswith(API_PREFIX):
            return None
        if request.method != "POST":
            return None
        messages.error(request, exception.message)
        return redirect(_back(request))

    def _refused(self, request):
        data = [request.GET]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            data.append(request.POST)
        for query in data:
            for name, values in query.lists():
                for value in values:
                    if not CONTROL_CHARACTERS.search(value):
                        continue
                    try:
                        check_text(value, name, label_for(name, _app_of(request)))
                    except DomainError as error:
                        return self._refuse(request, error)
        return None

    def _refuse(self, request, error: DomainError):
        if request.path.startswith(API_PREFIX):
            return error_json(400, "invalid", error.message, error.fields)
        messages.error(request, error.message)
        return redirect(_back(request) if request.method == "POST" else request.path)

    @staticmethod
    def _api_shape(response):
        if response.status_code < 400 or response.get("Content-Type", "").startswith("application/json"):
            return response
        code, message = API_ERRORS.get(
            response.status_code, ("http_error", gettext_noop("The request was refused."))
        )
        shaped = error_json(response.status_code, code, _(message))
        if response.has_header("Allow"):
            shaped["Allow"] = response["Allow"]
        return shaped
