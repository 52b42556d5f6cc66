"""Looking a case up with its tracking code and query code: the one answer to a wrong pair, the throttle on failed
attempts that the lookup page and the API share, and remembering a successful lookup in the browser session for a
while (the codes themselves never travel in a URL)."""

from __future__ import annotations

import datetime as dt

from flask import current_app, request, session

from portal.cases import codes
from portal.cases.models import Case
from portal.extensions import db, limiter
from portal.localtime import CST

SESSION_KEY = "tracked"
WRONG_PAIR = "信访件编号或查询码不正确，请核对回执后重新输入。"
# Checked when the tracking code is unknown, so that a wrong code costs as long as a wrong query code.
_DUMMY_HASH: dict[str, str] = {}


def find_case(tracking_code: str, query_code: str) -> Case | None:
    """The case when both codes match; None whatever was wrong (one generic answer, DESIGN §8)."""
    tracking_code = codes.normalise_tracking_code(tracking_code or "")
    query_code = (query_code or "").strip().upper().replace(" ", "").replace("-", "")
    case = (
        db.session.execute(db.select(Case).filter_by(tracking_code=tracking_code)).scalars().first()
        if tracking_code
        else None
    )
    if case is None:
        codes.check_query_code(_dummy_hash(), query_code)
        return None
    return case if codes.check_query_code(case.query_code_hash, query_code) else None


def _dummy_hash() -> str:
    method = current_app.config["QUERY_CODE_HASH_METHOD"]
    if method not in _DUMMY_HASH:
        _DUMMY_HASH[method] = codes.hash_query_code(codes.new_query_code())
    return _DUMMY_HASH[method]


def _until(value) -> float:
    return value[0] if isinstance(value, list) else value


def _fingerprint(case: Case) -> str:
    # A few characters of the stored hash (never the code): a new query code ends every grant of the old one.
    return case.query_code_hash[-8:]


def grant(case: Case, now: dt.datetime) -> None:
    """Let this browser read ``case`` for TRACK_GRANT_MINUTES from ``now``, while its query code stays the same.
    Granted again before it ends (the progress page's 延长 button), it runs that long from ``now`` once more: no time
    limit a person cannot extend."""
    minutes = current_app.config["TRACK_GRANT_MINUTES"]
    grants = {code: v for code, v in session.get(SESSION_KEY, {}).items() if _until(v) > now.timestamp()}
    grants[case.tracking_code] = [(now + dt.timedelta(minutes=minutes)).timestamp(), _fingerprint(case)]
    session[SESSION_KEY] = grants


def granted(case: Case, now: dt.datetime) -> bool:
    value = session.get(SESSION_KEY, {}).get(case.tracking_code)
    return isinstance(value, list) and len(value) == 2 and value[0] > now.timestamp() and value[1] == _fingerprint(case)


def granted_until(case: Case) -> dt.datetime | None:
    """When this browser's grant to read ``case`` ends (China time), or None without one."""
    value = session.get(SESSION_KEY, {}).get(case.tracking_code)
    return dt.datetime.fromtimestamp(_until(value), CST) if value else None


# --- throttling failed lookups ---------------------------------------------------------------------------------
def _lookup_failed(response) -> bool:
    return response.status_code not in (200, 303)  # only failed attempts count against the limits


def _tracking_code_key() -> str:
    payload = request.form or request.get_json(silent=True)  # the page posts a form, the API JSON
    code = payload.get("tracking_code") if hasattr(payload, "get") else None
    return "code:" + codes.normalise_tracking_code(code if isinstance(code, str) else "")[:30]


def lookup_limits(on_breach):
    """Throttle failed lookups per client and per tracking code, and every lookup per client (a successful one
    costs the same deliberate hash: one valid pair must not be able to keep the CPUs busy); the page and the API
    share the counters. Reading the progress page again under the grant is a GET and never counts."""

    def decorate(view):
        # Shared limits: a plain ``limit`` keys its counter by endpoint too, so the page and the API each had their
        # own (twice the guesses per code, twice the hashes per client).
        view = limiter.shared_limit(
            lambda: current_app.config["LOOKUP_LIMIT_PER_CODE"],
            scope="lookup-code",
            methods=["POST"],
            key_func=_tracking_code_key,
            deduct_when=_lookup_failed,
            on_breach=on_breach,
        )(view)
        view = limiter.shared_limit(
            lambda: current_app.config["LOOKUP_LIMIT_PER_CLIENT"],
            scope="lookup-client",
            methods=["POST"],
            deduct_when=_lookup_failed,
            on_breach=on_breach,
        )(view)
        return limiter.shared_limit(
            lambda: current_app.config["LOOKUP_LIMIT_ALL_PER_CLIENT"],
            scope="lookup-client-all",
            methods=["POST"],
            on_breach=on_breach,
        )(view)

    return decorate
