"""Whom a petition accuses (检举控告对象, 条例 art.30): a person (name, post, their user account when they have one)
and/or a unit, and for an official the 干部管理权限 that decides which 纪检监察 organ receives the case. Recording an
accused person or unit seals the case from them (see ``Case.visible_to``); this module has no rules of its own."""

from __future__ import annotations

import enum

from flask import current_app
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.extensions import db, enum_column
from portal.org.models import Department

NAME_MAX = 50
POST_MAX = 100


class CadreLevel(enum.StrEnum):
    """干部管理权限: which level's party committee manages the official, and so whose 纪检监察 organ hears it."""

    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"
    NONE = "none"

    @property
    def label(self) -> str:
        return {
            "city": "市管干部",
            "county": "县管干部",
            "township": "乡管干部",
            "village": "村（社区）干部",
            "none": "非干部管理对象",
        }[self.value]


class Accused(db.Model):
    """One accused person and/or unit of a case. A case may name several."""

    __tablename__ = "case_accused"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), default="")  # the accused person, as the accuser named them
    post: Mapped[str] = mapped_column(String(POST_MAX), default="")  # 职务
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    cadre_level: Mapped[CadreLevel | None] = mapped_column(enum_column(CadreLevel))

    user: Mapped[User | None] = relationship(lazy="joined")
    unit: Mapped[Department | None] = relationship(lazy="joined")

    @property
    def names_person(self) -> bool:
        return bool(self.name or self.user_id)

    @property
    def summary(self) -> str:
        """张某（某局局长，县管干部）；某单位 — for staff who may read the accusation."""
        parts = []
        if self.names_person:
            person = self.name or (self.user.name if self.user else "")
            detail = "，".join(p for p in (self.post, self.cadre_level.label if self.cadre_level else "") if p)
            parts.append(f"{person}（{detail}）" if detail else person)
        if self.unit is not None:
            parts.append(self.unit.name)
        return "；".join(parts)


def parse_cadre_organs(value: str) -> dict[CadreLevel, str]:
    """``city=市纪委监委;county=县纪委监委`` → {CITY: "市纪委监委", COUNTY: "县纪委监委"}; unknown levels are an error
    at start-up rather than a case sent nowhere."""
    mapping = {}
    for part in (value or "").split(";"):
        if not part.strip():
            continue
        level, _, organ = part.partition("=")
        if not organ.strip():
            raise ValueError(f"CADRE_ORGANS: “{part}” should be level=department name")
        mapping[CadreLevel(level.strip())] = organ.strip()
    return mapping


def organ_for(level: CadreLevel | None) -> Department | None:
    """The 纪检监察 organ (or 派驻纪检组) that the CADRE_ORGANS setting names for officials of ``level``; None when the
    setting names none (the clerk then chooses among the discipline organs)."""
    if level is None:
        return None
    name = parse_cadre_organs(current_app.config.get("CADRE_ORGANS", "")).get(level)
    if name is None:
        return None
    return db.session.execute(db.select(Department).filter_by(name=name, active=True)).scalar_one_or_none()
