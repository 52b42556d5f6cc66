"""The base of every form: WTForms' own messages ("Not a valid choice") in Chinese; options for select fields."""

from collections.abc import Iterable
from enum import Enum

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice


class Form(FlaskForm):
    class Meta:
        locales = ("zh",)  # WTForms' built-in translations; WTF_I18N_ENABLED is off (no Flask-Babel here)


def options(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as the ``SelectChoice`` objects WTForms wants for ``choices`` (tuples are deprecated
    in WTForms 3.3 and refused from 3.4)."""
    return [SelectChoice(value, label) for value, label in pairs]


def enum_options(enum_cls: type[Enum], *, blank: str | None = None) -> list[SelectChoice]:
    """One option per member (its value, its Chinese ``label``), after an empty-valued ``blank`` option if given."""
    first = [SelectChoice("", blank)] if blank is not None else []
    return first + options((member.value, member.label) for member in enum_cls)
