"""A password validator for AUTH_PASSWORD_VALIDATORS: not all of one kind of character."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHARACTER_CLASSES = (str.islower, str.isupper, str.isdigit)


def character_classes(password: str) -> int:
    """How many of lower-case letters, upper-case letters, digits and other signs the password uses."""
    kinds = set()
    for char in password:
        kinds.add(next((i for i, test in enumerate(CHARACTER_CLASSES) if test(char)), len(CHARACTER_CLASSES)))
    return len(kinds)


class CharacterClassValidator:
    """Refuses a password made of one class only (all digits, all lower-case …), which the length rule and
    the list of common passwords let through (e.g. a phone number or a name in pinyin)."""

    def __init__(self, min_classes: int = 2):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_one_class")

    def get_help_text(self) -> str:
        return _(
            "Mix at least two kinds of characters: lower-case letters, upper-case letters, digits, "
            "other signs."
        )
