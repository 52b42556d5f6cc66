"""Changing run-time settings: checked against the setting's own rule, audited with the value before and after."""

from __future__ import annotations

from portal.audit.services import record
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.settings.models import SPECS, Setting, get_setting


def _spec(key: str):
    spec = SPECS.get(key)
    if spec is None:
        raise DomainError("没有这项设置。")
    return spec


def change_setting(key: str, raw, actor) -> bool:
    """Set ``key`` to what ``raw`` means (``actor`` None: the command line on the server). True when it changed."""
    if actor is not None and not actor.can_administer:
        raise NotAllowed("只有系统管理员可以修改设置。")
    spec = _spec(key)
    value = spec.clean(raw)
    before = get_setting(key)
    row = db.session.get(Setting, key)
    if row is not None and row.value == value:
        return False
    if row is None:
        row = Setting(key=key, value=value)
        db.session.add(row)
    else:
        row.value = value
    row.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    record(
        "setting.change",
        actor,
        actor_name=None if actor else "命令行",
        key=key,
        label=spec.label,
        before=before,
        after=value,
    )
    return True


def reset_setting(key: str, actor) -> bool:
    """Back to the default (for a contact: not published). True when a configured value was removed."""
    if actor is not None and not actor.can_administer:
        raise NotAllowed("只有系统管理员可以修改设置。")
    spec = _spec(key)
    row = db.session.get(Setting, key)
    if row is None:
        return False
    before = row.value
    db.session.delete(row)
    db.session.flush()
    record(
        "setting.reset",
        actor,
        actor_name=None if actor else "命令行",
        key=key,
        label=spec.label,
        before=before,
        after=spec.default,
    )
    return True
