"""Form pieces every app's pages share. Forms only parse input; the rules live in the services."""

from django import forms


class BootstrapMixin:
    """Gives every field Bootstrap's class, so that templates render fields without per-field markup."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class DateInput(forms.DateInput):
    """<input type=date> takes only ISO dates, whatever the language's date format."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format)
