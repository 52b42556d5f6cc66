"""The message kinds sent by SMS — what the petitioner is told, and the daily reminder to staff — each with its
default text and the placeholders it may use: the one place every message's wording comes from. The 系统管理员 may
replace a text (``MessageText``) within ``TEXT_MAX`` characters, using only the kind's placeholders; ``check`` is the
rule for that edit."""

from __future__ import annotations

import string
from dataclasses import dataclass

from portal.errors import DomainError

TEXT_MAX = 120  # characters of a text with its placeholders: two SMS segments at most once filled in
CODE = "查询码"

# What each placeholder stands for, shown beside the form; a sample fills it in for the preview.
PLACEHOLDERS: dict[str, tuple[str, str]] = {
    "机关": ("信访部门名称（系统设置中的机关名称）", "某县信访局"),
    "编号": ("信访件编号", "XF20261203-7K3Q9M"),
    "期限": ("下一个期限（月日）", "12月18日"),
    CODE: ("查询码（短信中发送，发件箱中只显示遮蔽后的查询码）", "7K******QM"),
    "理由": ("不予受理的理由与途径", "应当通过诉讼途径解决"),
    "转送机关": ("转送的有权处理机关", "县人力资源和社会保障局"),
    "结果": ("处理意见的结论（支持、解释说明、不予支持）", "支持"),
    "原编号": ("并入的信访件编号", "XF20261120-4D8M2P"),
    "姓名": ("工作人员姓名（待办提醒）", "王丽"),
    "待办": ("新提醒的待办件数（待办提醒；不含信访人和事项）", "2件临近办理期限、1件已超期"),
}


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    default: str
    placeholders: tuple[str, ...]
    required: tuple[str, ...] = ("编号",)

    @property
    def carries_code(self) -> bool:
        return CODE in self.required


_BASE = ("机关", "编号")
KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind(
            "register",
            "登记告知",
            "【{机关}】您的信访事项已登记，编号{编号}，将于{期限}前告知是否受理。凭编号和查询码可在网上查询办理进度。",
            (*_BASE, "期限"),
        ),
        Kind(
            "register_code",
            "登记告知（含查询码）",
            "【{机关}】您的信访事项已登记，编号{编号}，查询码{查询码}，请妥善保存。将于{期限}前告知是否受理，"
            "凭编号和查询码可在网上查询办理进度。",
            (*_BASE, "期限", CODE),
            ("编号", CODE),
        ),
        Kind(
            "accept",
            "受理告知",
            "【{机关}】您的信访事项（编号{编号}）已受理，将于{期限}前出具书面处理意见。",
            (*_BASE, "期限"),
        ),
        Kind(
            "not_accept",
            "不予受理告知",
            "【{机关}】您的信访事项（编号{编号}）不予受理：{理由}。详见网上查询或书面告知。",
            (*_BASE, "理由"),
        ),
        Kind(
            "merge",
            "并案告知",
            "【{机关}】您反映的事项（编号{编号}）与编号{原编号}的信访事项为同一事项，已并入该件一并办理。",
            (*_BASE, "原编号"),
        ),
        Kind(
            "forward",
            "转送告知",
            "【{机关}】您的信访事项（编号{编号}）已转送{转送机关}处理，请留意其告知。",
            (*_BASE, "转送机关"),
        ),
        Kind(
            "extend",
            "延期告知",
            "【{机关}】您的信访事项（编号{编号}）办理期限经批准延长至{期限}，延期理由可在网上查询。",
            (*_BASE, "期限"),
        ),
        Kind(
            "reply",
            "处理意见告知",
            "【{机关}】您的信访事项（编号{编号}）已出具处理意见（{结果}），可凭编号和查询码在网上查看。",
            (*_BASE, "结果"),
        ),
        Kind(
            "review",
            "复查意见告知",
            "【{机关}】您的信访事项（编号{编号}）已出具复查意见（{结果}），可凭编号和查询码在网上查看。",
            (*_BASE, "结果"),
        ),
        Kind(
            "rereview",
            "复核意见告知",
            "【{机关}】您的信访事项（编号{编号}）已出具复核意见（{结果}），复核意见为终结意见。",
            (*_BASE, "结果"),
        ),
        Kind(
            "staff_reminder",
            "待办提醒（工作人员）",
            "【{机关}】{姓名}，您的待办中有{待办}，请登录信访业务系统查看“我的待办”。",
            ("机关", "姓名", "待办"),
            ("待办",),
        ),
        Kind(
            "query_code",
            "重新生成的查询码",
            "【{机关}】您的信访事项（编号{编号}）的查询码已重新生成：{查询码}，原查询码已作废，请妥善保存。",
            (*_BASE, CODE),
            ("编号", CODE),
        ),
    )
}

# The timeline actions (portal.cases.lifecycle.ACTIONS and the logged ones) the petitioner is told of.
KIND_OF_ACTION = {
    "register": "register",
    "accept": "accept",
    "not_accept": "not_accept",
    "merge": "merge",
    "forward": "forward",
    "approve_extension": "extend",
    "publish": "reply",
    "decide_review": "review",
    "decide_rereview": "rereview",
}


def fields(text: str) -> list[str]:
    """The placeholders ``text`` uses, or a DomainError when its braces do not pair up."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise DomainError(
            "短信内容中的花括号不成对。占位符的写法是 {编号}；要显示花括号本身，请写 {{ 或 }}。"
        ) from None
    found = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion:
            raise DomainError(f"占位符 {{{name}}} 的写法不正确，只能写成 {{占位符名称}}。")
        found.append(name)
    return found


def check(kind: Kind, text: str) -> str:
    """The text ``kind`` may be sent with, cleaned; a DomainError in words for the administrator otherwise."""
    text = " ".join((text or "").split())
    if not text:
        raise DomainError("请填写短信内容。")
    if len(text) > TEXT_MAX:
        raise DomainError(f"短信内容不能超过{TEXT_MAX}字（现为{len(text)}字）。")
    used = fields(text)
    unknown = sorted({n for n in used if n not in kind.placeholders}, key=used.index)
    if unknown:
        allowed = "、".join(f"{{{p}}}" for p in kind.placeholders)
        raise DomainError(
            f"“{kind.label}”不能使用占位符 {'、'.join(f'{{{n}}}' for n in unknown)}；可用的有：{allowed}。"
        )
    missing = [n for n in kind.required if n not in used]
    if missing:
        raise DomainError(f"“{kind.label}”的短信必须包含 {'、'.join(f'{{{n}}}' for n in missing)}。")
    return text


def render(text: str, values: dict[str, str]) -> str:
    return text.format(**values)


def sample(kind: Kind, text: str) -> str:
    """``text`` filled in with the sample values: what the administrator's preview shows."""
    return render(text, {name: PLACEHOLDERS[name][1] for name in kind.placeholders})
