"""Domain errors: a refused write, with a Chinese message that says why and, where it fits, which field."""


class DomainError(Exception):
    """A rule refused the write. The transaction rolls back; views and the API show `message`."""

    code = "invalid"
    status = 400

    def __init__(
        self, message, *, field: str | None = None, code: str | None = None, fields: dict | None = None
    ):
        super().__init__(str(message))
        self.message = str(message)
        self.fields = dict(fields or {})
        if field:
            self.fields.setdefault(field, self.message)
        if code:
            self.code = code


class TransitionRefused(DomainError):
    code = "transition_refused"


class StateConflict(TransitionRefused):
    """The object is not in a state that allows the action (the API answers 409, not 400)."""

    code = "state_conflict"
    status = 409


def show_error(request, exc: DomainError, form=None) -> None:
    """Put the message next to its field when the form has it, else at the top of the page."""
    from django.contrib import messages

    field = next(iter(exc.fields), None)
    if form is not None and field in form.fields:
        form.add_error(field, exc.message)
    else:
        messages.error(request, exc.message)
