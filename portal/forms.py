"""The base of every form: WTForms' own messages ("Not a valid choice") in Chinese."""

from flask_wtf import FlaskForm


class Form(FlaskForm):
    class Meta:
        locales = ("zh",)  # WTForms' built-in translations; WTF_I18N_ENABLED is off (no Flask-Babel here)
