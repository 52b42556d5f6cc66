"""Telling the petitioner by SMS (短信告知): each step of the workflow the petitioner must hear of becomes a
message of the catalogue, queued in the outbox (portal.sms); the clerk's outbox with resend; opting out."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/staff/notices")


def init_app(app) -> None:
    from portal.cases.signals import event_written
    from portal.notifications import services, views  # noqa: F401  (routes)

    event_written.connect(services.on_event_written)
    app.register_blueprint(bp)
