"""Departments (单位 / 部门), a tree with levels."""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db, enum_column


class Level(enum.StrEnum):
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"
    GROUP = "group"  # 村民小组 (DESIGN §2); stored in the same VARCHAR(30), no constraint lists the values

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self.value]

    @property
    def rank(self) -> int:
        """0 for the city, growing downwards: a department never sits under one of a lower level."""
        return list(Level).index(self)


LEVEL_LABELS = {
    "city": "市级",
    "county": "县级",
    "township": "乡镇（街道）",
    "village": "村（社区）",
    "group": "村民小组",
}


class Kind(enum.StrEnum):
    LEADERSHIP = "leadership"  # 县委、县政府
    PETITION_OFFICE = "petition_office"  # 信访局
    DISCIPLINE = "discipline"  # 纪委监委: receives accusation cases
    FUNCTIONAL = "functional"  # 职能部门
    LOCAL = "local"  # 乡镇人民政府、村（居）委会

    @property
    def label(self) -> str:
        return {
            "leadership": "领导机关",
            "petition_office": "信访部门",
            "discipline": "纪检监察机关",
            "functional": "职能部门",
            "local": "属地（乡镇、村）",
        }[self.value]


# The kinds of department a case can be assigned to (交办): those that handle matters, not the leadership or the
# petition office itself.
ASSIGNABLE_KINDS = frozenset({Kind.FUNCTIONAL, Kind.DISCIPLINE, Kind.LOCAL})
# The levels a case's 问题属地 is chosen from: the township (乡镇、街道) or the village (村、社区) of the matter.
PLACE_AREA_LEVELS = frozenset({Level.TOWNSHIP, Level.VILLAGE})


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    level: Mapped[Level] = mapped_column(enum_column(Level))
    kind: Mapped[Kind] = mapped_column(enum_column(Kind))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Department | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Department]] = relationship(back_populates="parent", order_by="Department.name")

    def __str__(self) -> str:
        return self.name

    def can_edit(self, user) -> bool:
        """The system administrator keeps the department tree."""
        return user.can_administer

    @property
    def ancestors(self) -> list[Department]:
        """Parent, grandparent, … up to the root (a cycle, which the services refuse, stops the walk)."""
        chain, seen, node = [], {self.id}, self.parent
        while node is not None and node.id not in seen:
            chain.append(node)
            seen.add(node.id)
            node = node.parent
        return chain

    @property
    def path(self) -> str:
        """县政府 / 县信访局: where the department sits in the tree."""
        return " / ".join(d.name for d in [*reversed(self.ancestors), self])

    @property
    def is_petition_office(self) -> bool:
        return self.kind is Kind.PETITION_OFFICE

    @property
    def takes_assignments(self) -> bool:
        return self.kind in ASSIGNABLE_KINDS

    @property
    def is_place_area(self) -> bool:
        """A township or village: where a matter can arise (问题属地)."""
        return self.level in PLACE_AREA_LEVELS

    @classmethod
    def place_areas(cls):
        """The choices of 问题属地: active townships and villages, townships first."""
        levels = sorted(PLACE_AREA_LEVELS)
        return db.select(cls).where(cls.active, cls.level.in_(levels)).order_by(cls.level.desc(), cls.name)

    @classmethod
    def assignable(cls):
        """Departments a case may be assigned to, in a stable order."""
        return db.select(cls).where(cls.active, cls.kind.in_(sorted(ASSIGNABLE_KINDS))).order_by(cls.level, cls.name)


def township_of(department: Department | None) -> Department | None:
    """The township a village or group belongs to (the township itself for a township); None above that level."""
    for node in [department, *(department.ancestors if department else [])]:
        if node is not None and node.level is Level.TOWNSHIP:
            return node
    return None
