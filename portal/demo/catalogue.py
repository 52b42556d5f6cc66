"""What the demo county files petitions under: the content categories and the checklist templates with their
items (who ticks each, in which phase), created if missing."""

from __future__ import annotations

from portal.cases.models import (
    CaseType,
    Category,
    ChecklistTemplate,
    ChecklistTemplateItem,
)
from portal.extensions import db

CATEGORIES = [
    "劳动社保",
    "征地拆迁",
    "城乡建设",
    "农村农业",
    "教育文体",
    "卫生健康",
    "市场监管",
    "政法",
    "民政",
    "环境保护",
    "交通运输",
    "纪检监察",
    "其他",
]

# Checklist items: label → (required, phase, who ticks it). Phases follow the case: investigate before the draft,
# signed after the signature, published after delivery, closing before mark-off.
CHECKLIST_ITEMS: dict[str, tuple[bool, str, str]] = {
    "调查核实": (True, "investigate", "handler"),
    "约谈信访人": (True, "investigate", "handler"),
    "线索初步核实": (True, "investigate", "handler"),
    "举报人信息保密审查": (True, "investigate", "head"),
    "包掌握情况": (True, "investigate", "leader"),
    "包思想转化": (True, "investigate", "leader"),
    "包矛盾化解": (True, "investigate", "leader"),
    "形成处理意见": (True, "investigate", "handler"),
    "领导审签": (True, "signed", "head"),
    "书面答复": (True, "published", "clerk"),
    "包教育稳控": (True, "published", "leader"),
    "回访": (False, "closing", "clerk"),
    "包息访息诉": (True, "closing", "leader"),
}
# Items the system ticks itself when the event they stand for is recorded (DESIGN §5): label → action.
CHECKLIST_MIRRORS = {"领导审签": "sign", "书面答复": "publish", "回访": "follow_up"}
# name → (case type or None for all, leader_owned, labels)
CHECKLIST_TEMPLATES: dict[str, tuple[CaseType | None, bool, list[str]]] = {
    "信访事项办理清单": (None, False, ["调查核实", "约谈信访人", "形成处理意见", "领导审签", "书面答复", "回访"]),
    "检举控告件附加清单": (CaseType.ACCUSATION, False, ["线索初步核实", "举报人信息保密审查"]),
    "领导包案“五包”清单": (None, True, ["包掌握情况", "包思想转化", "包矛盾化解", "包教育稳控", "包息访息诉"]),
}
INVESTIGATE_ORDER = [
    "调查核实",
    "线索初步核实",
    "举报人信息保密审查",
    "约谈信访人",
    "包掌握情况",
    "包思想转化",
    "包矛盾化解",
    "形成处理意见",
]


def ensure_categories() -> dict[str, int]:
    existing = {c.name: c for c in db.session.execute(db.select(Category)).scalars()}
    for name in CATEGORIES:
        if name not in existing:
            existing[name] = Category(name=name)
            db.session.add(existing[name])
    db.session.flush()
    return {name: category.id for name, category in existing.items()}


def ensure_checklist_templates() -> None:
    names = set(db.session.execute(db.select(ChecklistTemplate.name)).scalars())
    for name, (case_type, leader_owned, labels) in CHECKLIST_TEMPLATES.items():
        if name in names:
            continue
        items = [
            ChecklistTemplateItem(
                position=i, label=label, required=CHECKLIST_ITEMS[label][0], mirrors=CHECKLIST_MIRRORS.get(label)
            )
            for i, label in enumerate(labels, start=1)
        ]
        db.session.add(ChecklistTemplate(name=name, case_type=case_type, leader_owned=leader_owned, items=items))
