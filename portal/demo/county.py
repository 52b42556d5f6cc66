"""The demo county's organisation: the department tree (leadership, the petition office, the discipline organ,
functional departments, three townships and their villages) and its staff, created if missing."""

from __future__ import annotations

from portal.accounts.models import Role, User
from portal.accounts.services import create_user
from portal.extensions import db
from portal.org.models import Department, Kind, Level

RECEPTION_CENTRE = "县人民来访接待中心"

# =============================================================================================================
# The county
# =============================================================================================================
# key → (name, level, kind, parent key)
DEPARTMENTS: dict[str, tuple[str, Level, Kind, str | None]] = {
    "city": ("市人民政府", Level.CITY, Kind.LEADERSHIP, None),
    "committee": ("县委", Level.COUNTY, Kind.LEADERSHIP, None),
    "government": ("县政府", Level.COUNTY, Kind.LEADERSHIP, "city"),
    "inspection": ("县委督查室", Level.COUNTY, Kind.LEADERSHIP, "committee"),
    "office": ("县信访局", Level.COUNTY, Kind.PETITION_OFFICE, "government"),
    "jw": ("县纪委监委", Level.COUNTY, Kind.DISCIPLINE, None),
    "rs": ("县人力资源和社会保障局", Level.COUNTY, Kind.FUNCTIONAL, "government"),
    "zrzy": ("县自然资源局", Level.COUNTY, Kind.FUNCTIONAL, "government"),
    "zj": ("县住房和城乡建设局", Level.COUNTY, Kind.FUNCTIONAL, "government"),
    "jy": ("县教育局", Level.COUNTY, Kind.FUNCTIONAL, "government"),
    "wj": ("县卫生健康局", Level.COUNTY, Kind.FUNCTIONAL, "government"),
    "scjg": ("县市场监督管理局", Level.COUNTY, Kind.FUNCTIONAL, "government"),
    "nync": ("县农业农村局", Level.COUNTY, Kind.FUNCTIONAL, "government"),
    "mz": ("县民政局", Level.COUNTY, Kind.FUNCTIONAL, "government"),
    "sthj": ("县生态环境局", Level.COUNTY, Kind.FUNCTIONAL, "government"),
    "jtys": ("县交通运输局", Level.COUNTY, Kind.FUNCTIONAL, "government"),
    "ga": ("县公安局", Level.COUNTY, Kind.FUNCTIONAL, "government"),
    "cg": ("城关镇人民政府", Level.TOWNSHIP, Kind.LOCAL, "government"),
    "qs": ("青石镇人民政府", Level.TOWNSHIP, Kind.LOCAL, "government"),
    "lh": ("柳河乡人民政府", Level.TOWNSHIP, Kind.LOCAL, "government"),
}
# township key → (short name, villages)
TOWNSHIPS: dict[str, tuple[str, list[str]]] = {
    "cg": ("城关镇", ["东关社区", "西街社区", "南湖村"]),
    "qs": ("青石镇", ["青石村", "石桥村", "龙潭村"]),
    "lh": ("柳河乡", ["柳河村", "杨庄村"]),
}


def _village_department(village: str) -> str:
    return village + ("居民委员会" if village.endswith("社区") else "村民委员会")


# Every staff member: username → (name, department key, role, title). Titles are printed under signatures.
STAFF: dict[str, tuple[str, str, Role, str]] = {
    "clerk": ("王丽娟", "office", Role.CLERK, "来访接待科科长"),
    "leader": ("周卫国", "committee", Role.LEADER, "县委副书记"),
    "dept_head": ("李建军", "rs", Role.DEPT_HEAD, "局长"),
    "handler": ("张晓燕", "rs", Role.HANDLER, "科员"),
    "supervisor": ("黄振东", "inspection", Role.SUPERVISOR, "督查专员"),
    "admin": ("何志鹏", "office", Role.ADMIN, "信息科科长"),
    "security": ("郑海燕", "office", Role.SECURITY_ADMIN, "信息科副科长"),
    "auditor": ("马文静", "jw", Role.AUDITOR, "审计员"),
    "leader2": ("刘晓峰", "government", Role.LEADER, "副县长"),
    "leader3": ("陈慧敏", "government", Role.LEADER, "副县长"),
    "leader4": ("吴振华", "committee", Role.LEADER, "县委常委、政法委书记"),
    "cg_leader": ("赵志刚", "cg", Role.LEADER, "城关镇党委书记"),
    "qs_leader": ("孙建平", "qs", Role.LEADER, "青石镇党委书记"),
    "lh_leader": ("郭春梅", "lh", Role.LEADER, "柳河乡党委书记"),
    "zrzy_head": ("罗国平", "zrzy", Role.DEPT_HEAD, "局长"),
    "zrzy_handler": ("邓海波", "zrzy", Role.HANDLER, "执法监察大队科员"),
    "zj_head": ("彭德明", "zj", Role.DEPT_HEAD, "局长"),
    "zj_handler": ("曾丽华", "zj", Role.HANDLER, "房地产管理股科员"),
    "jy_head": ("谢立新", "jy", Role.DEPT_HEAD, "局长"),
    "jy_handler": ("唐婷婷", "jy", Role.HANDLER, "科员"),
    "wj_head": ("韩文斌", "wj", Role.DEPT_HEAD, "局长"),
    "wj_handler": ("冯雪梅", "wj", Role.HANDLER, "医政医管股科员"),
    "scjg_head": ("曹宏伟", "scjg", Role.DEPT_HEAD, "局长"),
    "scjg_handler": ("肖俊杰", "scjg", Role.HANDLER, "消费者权益保护股科员"),
    "nync_head": ("田长青", "nync", Role.DEPT_HEAD, "局长"),
    "nync_handler": ("董佳怡", "nync", Role.HANDLER, "科员"),
    "mz_head": ("袁素珍", "mz", Role.DEPT_HEAD, "局长"),
    "mz_handler": ("潘明亮", "mz", Role.HANDLER, "社会救助股科员"),
    "sthj_head": ("蒋成林", "sthj", Role.DEPT_HEAD, "局长"),
    "sthj_handler": ("蔡雨萱", "sthj", Role.HANDLER, "环境监察大队科员"),
    "jtys_head": ("杜永福", "jtys", Role.DEPT_HEAD, "局长"),
    "jtys_handler": ("叶浩然", "jtys", Role.HANDLER, "科员"),
    "jw_head": ("钟正义", "jw", Role.DEPT_HEAD, "县纪委副书记、县监委副主任"),
    "jw_handler": ("魏晓东", "jw", Role.HANDLER, "第一纪检监察室科员"),
    "cg_head": ("姜保国", "cg", Role.DEPT_HEAD, "镇长"),
    "cg_handler": ("崔金凤", "cg", Role.HANDLER, "信访办干事"),
    "qs_head": ("范学军", "qs", Role.DEPT_HEAD, "镇长"),
    "qs_handler": ("夏小红", "qs", Role.HANDLER, "综治中心干事"),
    "lh_head": ("石新民", "lh", Role.DEPT_HEAD, "乡长"),
    "lh_handler": ("廖晨阳", "lh", Role.HANDLER, "信访办干事"),
    # The level above the county government: re-reviews (复核) of county review opinions are decided here.
    "city_reviewer": ("何建国", "city", Role.DEPT_HEAD, "市信访局复查复核科科长"),
    "orgdept": ("林秀英", "committee", Role.ORG_DEPT, "县委组织部干部科科长"),
}
# County leaders: username → (分管工作, department keys they oversee). They own cases and take reception duty.
COUNTY_LEADERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "leader": ("党建、信访、乡村振兴", ("nync", "cg", "qs", "lh")),
    "leader2": ("自然资源、住房城乡建设、交通运输、生态环境", ("zrzy", "zj", "jtys", "sthj")),
    "leader3": ("教育、卫生健康、民政、人力资源社会保障", ("jy", "wj", "mz", "rs")),
    "leader4": ("政法、公安、市场监管", ("scjg", "ga", "jw")),
}
TOWNSHIP_LEADERS = {"cg": "cg_leader", "qs": "qs_leader", "lh": "lh_leader"}


# The demo county's public channels (条例 art.18), set through the same settings a real office fills in with
# `flask setup` or on the system administrator's settings page. A value someone already set is kept.
SETTINGS = {
    "county_name": "云溪县",
    "office_name": "云溪县信访局",
    "office_address": "云溪县人民来访接待中心（县政务服务中心一楼，滨江路18号）",
    "reception_hours": "工作日 上午8:30—12:00，下午14:30—17:30",
    "office_mail_address": "云溪县滨江路18号 云溪县信访局",
    "office_postcode": "418300",
    "office_phone": "0745-8223110",
    "office_email": "xfj@yunxi.gov.cn",
}


def ensure_settings() -> None:
    from portal.settings.models import is_set
    from portal.settings.services import change_setting

    for key, value in SETTINGS.items():
        if not is_set(key):
            change_setting(key, value, None)


# --- reference data ------------------------------------------------------------------------------------------
def ensure_departments() -> dict[str, Department]:
    """The department tree by key (townships' villages under ``village:<name>``); existing rows are kept."""
    by_key: dict[str, Department] = {}
    for key, (name, level, kind, parent) in DEPARTMENTS.items():
        by_key[key] = _department(name, level, kind, by_key.get(parent) if parent else None)
    for town, (_, villages) in TOWNSHIPS.items():
        for village in villages:
            by_key[f"village:{village}"] = _department(
                _village_department(village), Level.VILLAGE, Kind.LOCAL, by_key[town]
            )
    return by_key


def _department(name: str, level: Level, kind: Kind, parent: Department | None) -> Department:
    department = db.session.execute(db.select(Department).filter_by(name=name)).scalar_one_or_none()
    if department is None:
        department = Department(name=name, level=level, kind=kind, parent=parent)
        db.session.add(department)
        db.session.flush()
    return department


def ensure_users(password: str, departments: dict[str, Department]) -> list[str]:
    existing = set(db.session.execute(db.select(User.username).where(User.username.in_(STAFF))).scalars())
    created = []
    for username, (name, dept, role, title) in STAFF.items():
        if username not in existing:
            create_user(
                username=username,
                password=password,
                name=name,
                department=departments[dept],
                roles=[role],
                title=title,
                demo_account=True,  # keeps the documented demo password: no forced change, no expiry
            )
            created.append(username)
    return created
