"""How personal data is shown masked on screen: the public sees a petitioner's surname only (DESIGN §8), staff
pages show phone and ID numbers with their middle digits hidden until someone entitled asks to see them."""

from __future__ import annotations

# 复姓: the compound surnames of the 百家姓, with 独孤 and 完颜. A name that starts with one keeps both characters.
# The list stays at these well-known ones on purpose: a false match would show a character of the given name.
# fmt: off
COMPOUND_SURNAMES = frozenset({
    "万俟", "司马", "上官", "欧阳", "夏侯", "诸葛", "闻人", "东方", "赫连", "皇甫", "尉迟", "公羊",
    "澹台", "公冶", "宗政", "濮阳", "淳于", "单于", "太叔", "申屠", "公孙", "仲孙", "轩辕", "令狐",
    "钟离", "宇文", "长孙", "慕容", "鲜于", "闾丘", "司徒", "司空", "亓官", "司寇", "子车", "颛孙",
    "端木", "巫马", "公西", "漆雕", "乐正", "壤驷", "公良", "拓跋", "夹谷", "宰父", "谷梁", "段干",
    "百里", "东郭", "南门", "呼延", "归海", "羊舌", "微生", "梁丘", "左丘", "东门", "西门", "南宫",
    "第五", "伯赏", "独孤", "完颜",
})
# fmt: on


def surname(name: str) -> str:
    """The surname of a Chinese ``name``: a compound surname when the name starts with one and has a given name
    after it, otherwise the first character. ``欧阳娜娜`` → ``欧阳``, ``欧阳`` (a name of two characters) → ``欧``."""
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[:2]
    return name[:1]


def mask_name(name: str | None) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧阳**, 司马光 → 司马*: the surname, then one ``*`` for each other character."""
    name = (name or "").strip()
    if not name:
        return "*"
    kept = surname(name)
    return kept + "*" * max(1, len(name) - len(kept))


def mask_phone(phone: str | None) -> str:
    """13812345678 → 138****5678; a number too short to mask, or none, shows as “—”."""
    return f"{phone[:3]}****{phone[-4:]}" if phone and len(phone) >= 7 else "—"


def mask_id_number(id_number: str | None) -> str:
    """410102199001011234 → 4101**********1234: the region of issue and the last four; none shows as “—”."""
    if not id_number or len(id_number) < 9:
        return "—"
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def mask_query_code(code: str | None) -> str:
    """7K3Q9MACDE → 7K******DE: how a query code appears wherever it is stored or shown again (an SMS in the
    outbox, a staff page); the code itself is given once and never kept in clear."""
    if not code or len(code) < 6:
        return "—"
    return code[:2] + "*" * (len(code) - 4) + code[-2:]


def mask_address(address: str | None) -> str:
    """城关镇幸福路1号 → 城关镇****: the first three characters, enough to tell a township, not a door."""
    address = (address or "").strip()
    return f"{address[:3]}****" if address else "—"


class MaskedContact:
    """Masked views of a row's ``name``, ``phone``, ``id_number`` and ``address``, for every staff page that shows
    a person (petitioners, reception entries)."""

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_address(self) -> str:
        return mask_address(self.address)
