"""The base of every form: WTForms' own messages ("Not a valid choice") in Chinese; what no field may carry (a
control character, a number beyond what the database stores); options for select fields."""

from collections.abc import Iterable
from enum import Enum

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from portal.errors import DomainError
from portal.validation import printable

# The largest integer a column holds on every database we run on (PostgreSQL ``integer``): ids, counts, versions.
# A larger one in a form or a URL names nothing, and PostgreSQL (or SQLite beyond 2^63) would refuse the query.
INT_MAX = 2**31 - 1


def _storable(form, field) -> None:
    """Refuse, before any inline validator can query with it, a value no column can hold."""
    values = field.data if isinstance(field.data, list | tuple) else [field.data]
    for value in values:
        if isinstance(value, str):
            try:
                printable(value, str(field.label.text))
            except DomainError as refusal:
                raise StopValidation(refusal.message) from None
        elif isinstance(value, int) and not isinstance(value, bool) and not -INT_MAX - 1 <= value <= INT_MAX:
            raise StopValidation(f"{field.label.text}的数值超出范围。")


class Form(FlaskForm):
    class Meta:
        locales = ("zh",)  # WTForms' built-in translations; WTF_I18N_ENABLED is off (no Flask-Babel here)

    def validate(self, extra_validators=None) -> bool:
        # Every field, whatever its own validators: NUL and other control characters (PostgreSQL refuses NUL, XML
        # exports cannot carry them), and integers beyond INT_MAX. Runs after the field's own validators (which
        # never query) and before the form's validate_<field> methods (which may).
        extra = {name: list(validators) for name, validators in (extra_validators or {}).items()}
        for name in self._fields:
            extra.setdefault(name, []).insert(0, _storable)
        return super().validate(extra)


def options(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as the ``SelectChoice`` objects WTForms wants for ``choices`` (tuples are deprecated
    in WTForms 3.3 and refused from 3.4)."""
    return [SelectChoice(value, label) for value, label in pairs]


def enum_options(enum_cls: type[Enum], *, blank: str | None = None) -> list[SelectChoice]:
    """One option per member (its value, its Chinese ``label``), after an empty-valued ``blank`` option if given."""
    first = [SelectChoice("", blank)] if blank is not None else []
    return first + options((member.value, member.label) for member in enum_cls)
