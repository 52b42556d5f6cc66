"""Second factors for staff sign-in. A factor is one entry in ``REGISTRY`` (see ``SecondFactor``): TOTP today
(RFC 6238 via pyotp, its QR code drawn here with segno, no other host involved); a county's CA certificate or UKey
(SM2) is another ``register(...)`` call with its own enrolment template. Recovery codes work with any factor.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from typing import Protocol

import pyotp
import segno
from flask import current_app

from portal.accounts import secretbox
from portal.accounts.models import RecoveryCode, User, UserFactor
from portal.extensions import db
from portal.localtime import now, utcnow

ISSUER = "阳光信访"
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_PURPOSE = "recovery-code"


@dataclass
class Enrolment:
    """What an enrolment page shows (``context``, rendered by ``template``) and what must come back to confirm it:
    ``state`` is kept in the signed-in person's session until then."""

    state: str
    template: str
    context: dict = field(default_factory=dict)


class SecondFactor(Protocol):
    kind: str  # stored in UserFactor.kind
    label: str  # shown to people

    def begin(self, user: User, state: str | None = None) -> Enrolment:
        """Start enrolling ``user`` with a new secret or challenge, or show the one in ``state`` again."""

    def confirm(self, user: User, state: str, response: str) -> UserFactor | None:
        """The factor to store when ``response`` proves the person holds what ``begin`` gave them, else None."""

    def verify(self, factor: UserFactor, response: str) -> bool:
        """Whether ``response`` proves possession now; records whatever prevents its replay on ``factor``."""


REGISTRY: dict[str, SecondFactor] = {}


def register(factor: SecondFactor) -> SecondFactor:
    REGISTRY[factor.kind] = factor
    return factor


def for_enrolment() -> SecondFactor:
    """The factor new enrolments use (SECOND_FACTOR)."""
    return REGISTRY[current_app.config["SECOND_FACTOR"]]


def of(factor: UserFactor) -> SecondFactor:
    return REGISTRY[factor.kind]


class Totp:
    """Time-based one-time passwords in any authenticator app; a code is accepted once (its time step is kept)."""

    kind = "totp"
    label = "手机动态口令（TOTP）"
    purpose = "totp-secret"
    step_seconds = 30
    drift_steps = 1  # the phone's clock may be one step off either way

    def begin(self, user: User, state: str | None = None) -> Enrolment:
        secret = state or pyotp.random_base32()
        uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
        qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
        spaced = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        return Enrolment(state=secret, template="accounts/_enrol_totp.html", context={"qr": qr, "secret": spaced})

    def confirm(self, user: User, state: str, response: str) -> UserFactor | None:
        step = self._match(state, response, last_step=None)
        if step is None:
            return None
        return UserFactor(kind=self.kind, secret=secretbox.seal(state.encode(), self.purpose), last_step=step)

    def verify(self, factor: UserFactor, response: str) -> bool:
        try:
            secret = secretbox.unseal(factor.secret, self.purpose).decode()
        except ValueError:
            return False  # sealed under another SECRET_KEY: the person must enrol again (a recovery code still works)
        step = self._match(secret, response, last_step=factor.last_step)
        if step is None:
            return False
        factor.last_step = step
        return True

    def _match(self, secret: str, response: str, *, last_step: int | None) -> int | None:
        code = "".join(ch for ch in response if not ch.isspace())
        if len(code) != 6 or not code.isascii() or not code.isdigit():
            return None
        totp = pyotp.TOTP(secret)
        current = int(now().timestamp()) // self.step_seconds
        for step in range(current - self.drift_steps, current + self.drift_steps + 1):
            if last_step is not None and step <= last_step:
                continue  # this code, or an earlier one, was used already
            if hmac.compare_digest(totp.at(step * self.step_seconds), code):
                return step
        return None


register(Totp())


# --- recovery codes -------------------------------------------------------------------------------------------
def _normalise(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def new_recovery_codes(user: User) -> list[str]:
    """Replace ``user``'s recovery codes with ten new ones and return them: the only time they are shown."""
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=secretbox.fingerprint(raw, _RECOVERY_PURPOSE)))
    db.session.flush()
    return codes


def use_recovery_code(user: User, response: str) -> bool:
    """Spend one of ``user``'s unused recovery codes; False when ``response`` is none of them."""
    raw = _normalise(response)
    if len(raw) != 10:
        return False
    row = db.session.execute(
        db.select(RecoveryCode)
        .filter_by(user_id=user.id, code_hash=secretbox.fingerprint(raw, _RECOVERY_PURPOSE), used_at=None)
        .with_for_update()
    ).scalar_one_or_none()
    if row is None:
        return False
    row.used_at = utcnow()
    db.session.flush()
    return True


def forget(user: User) -> None:
    """Remove ``user``'s second factor and recovery codes (a lost phone); they enrol again at the next sign-in."""
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    if user.factor is not None:
        db.session.delete(user.factor)
        user.factor = None
    db.session.flush()


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        db.select(db.func.count()).select_from(RecoveryCode).filter_by(user_id=user.id, used_at=None)
    )
