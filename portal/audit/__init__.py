"""The audit trail: who did what, when, from where, and whether it was allowed. Read by auditors only."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/staff/audit")


@bp.record_once
def _check_settings(state) -> None:
    # A retention below the legal minimum or an unknown hash algorithm stops the app at start, not at archive time.
    from portal.audit.archive import retention_days
    from portal.audit.chain import algorithm
    from portal.errors import DomainError

    try:
        retention_days(state.app.config)
    except DomainError as error:
        raise RuntimeError(error.message) from None
    algorithm(state.app.config)


from portal.audit import hooks, views  # noqa: E402,F401
