"""Public pages."""
from flask import render_template

from portal.public import bp
from portal.settings.models import SPECS, get_setting


@bp.route("/")
def home():
    office = {key: get_setting(key) for key in SPECS if key.startswith("office_") or key == "reception_hours"}
    return render_template("public/home.html", office=office)
