"""Panels that the areas built on duty add to a leader's 我的接访 page. Duty owns the page but knows nothing of
what fills these panels: an area above it (reception: today's log, the cases born at the leader's receptions)
registers a template and the function that gives its context, so imports keep running downward."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from portal.accounts.models import User


@dataclass(frozen=True)
class MinePanel:
    """``context(leader, today)`` gives the variables ``template`` is rendered with, below the leader's slots."""

    name: str
    template: str
    context: Callable[[User, dt.date], dict]


MINE_PANELS: dict[str, MinePanel] = {}


def register_mine_panel(panel: MinePanel) -> MinePanel:
    """Add a panel to 我的接访, after those registered before it."""
    if panel.name in MINE_PANELS:
        raise ValueError(f"panel {panel.name!r} is registered twice")
    MINE_PANELS[panel.name] = panel
    return panel
