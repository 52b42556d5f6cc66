"""The demo county's grassroots network: agents in its townships, villages and a group; matters at every step of
the 信访五步法; the agents' 形象测评; a complaint against an agent; and a month of screening reports — mostly 零报告,
some disputes mediated or turned into cases, one village (杨庄村) reporting late or not at all. Everything goes
through the services on backdated days."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from portal.accounts.models import Role, User
from portal.accounts.services import create_user
from portal.agents import services as agents
from portal.cases import services as cases
from portal.cases.attachments import Upload
from portal.cases.models import CaseType, Channel, Rating
from portal.extensions import db
from portal.localtime import CST, as_of
from portal.localtime import now as local_now
from portal.org.models import Department, Kind, Level
from portal.screening import services as screening
from portal.screening.models import DisputeKind, Risk

# village → its 村民小组 with an agent of their own (组信访信息员)
GROUPS = {"青石村": "青石村第三村民小组", "柳河村": "柳河村第一村民小组"}
# username → (name, department key, role, title); ``agent`` and ``village`` are the README's demo sign-ins.
NETWORK: dict[str, tuple[str, str, Role, str]] = {
    "agent": ("袁泽志", "village:青石村", Role.AGENT, "村信访代理员（村委委员）"),
    "village": ("朱雪峰", "village:青石村", Role.SCREENING, "村党支部书记"),
    "qs_agent": ("何华胜", "qs", Role.AGENT, "镇信访代理员（综治中心副主任）"),
    "cg_agent": ("朱招胜", "cg", Role.AGENT, "镇信访代理员"),
    "lh_agent": ("曾国良", "lh", Role.AGENT, "乡信访代理员"),
    "shiqiao_agent": ("刘秀英", "village:石桥村", Role.AGENT, "村信访代理员（群众专职）"),
    "longtan_agent": ("邓建华", "village:龙潭村", Role.AGENT, "村信访代理员"),
    "nanhu_agent": ("吴桂兰", "village:南湖村", Role.AGENT, "村信访代理员"),
    "liuhe_agent": ("陈德富", "village:柳河村", Role.AGENT, "村信访代理员"),
    "qs_group_agent": ("黄老四", "group:青石村第三村民小组", Role.AGENT, "组信访信息员"),
    "lh_group_agent": ("杨春生", "group:柳河村第一村民小组", Role.AGENT, "组信访信息员"),
    "qs_screening": ("孙丽", "qs", Role.SCREENING, "镇综治中心干事"),
    "cg_screening": ("李明", "cg", Role.SCREENING, "镇综治中心干事"),
    "lh_screening": ("周红", "lh", Role.SCREENING, "乡综治中心干事"),
    "shiqiao_screening": ("王志强", "village:石桥村", Role.SCREENING, "村委会主任"),
    "longtan_screening": ("赵金花", "village:龙潭村", Role.SCREENING, "村妇联主席"),
    "nanhu_screening": ("钱学军", "village:南湖村", Role.SCREENING, "村委会主任"),
    "dongguan_screening": ("冯晓燕", "village:东关社区", Role.SCREENING, "社区网格员"),
    "xijie_screening": ("蒋伟", "village:西街社区", Role.SCREENING, "社区网格员"),
    "liuhe_screening": ("廖大勇", "village:柳河村", Role.SCREENING, "村委会主任"),
    "yangzhuang_screening": ("杨国庆", "village:杨庄村", Role.SCREENING, "村文书"),
}
LATE_VILLAGE = "yangzhuang_screening"  # 杨庄村: the village that reports late, or not at all
SCREENING_DAYS = 30
# A tiny PDF standing in for a signed scan (the demo has no real paper).
SCAN = Upload("双向承诺书（签字）.pdf", "application/pdf", b"%PDF-1.4\n% demo scan\n%%EOF\n")


def ensure_groups(departments: dict[str, Department]) -> None:
    """The 村民小组 under their villages, keyed ``group:<name>``."""
    for village, group in GROUPS.items():
        found = db.session.execute(db.select(Department).filter_by(name=group)).scalar_one_or_none()
        if found is None:
            found = Department(name=group, level=Level.GROUP, kind=Kind.LOCAL, parent=departments[f"village:{village}"])
            db.session.add(found)
            db.session.flush()
        departments[f"group:{group}"] = found


def ensure_network_users(password: str, departments: dict[str, Department]) -> list[str]:
    ensure_groups(departments)
    existing = set(db.session.execute(db.select(User.username).where(User.username.in_(NETWORK))).scalars())
    created = []
    for username, (name, dept, role, title) in NETWORK.items():
        if username not in existing:
            create_user(
                username=username,
                password=password,
                name=name,
                department=departments[dept],
                roles=[role],
                title=title,
                demo_account=True,
            )
            created.append(username)
    return created


@dataclass(frozen=True)
class Story:
    agent: str
    villager: str
    phone: str
    title: str
    content: str
    place: str
    days_ago: int
    last_step: str  # register | commit | mediate | carry_up | feedback | follow_up
    mediated: bool = False  # settled locally (else carried up, from commit on)
    department: str | None = None  # where the carried-up case is assigned
    rating: Rating = Rating.SATISFIED
    channel: Channel = Channel.VISIT
    accuses_cadres: bool = False


STORIES = [
    Story(
        "agent",
        "曾庆腾",
        "13907451101",
        "灌渠冬修后农田未回填",
        "丰收陂灌渠冬修时施工方在灌渠两旁农田遗留工程废料，部分农田挖土后未回填，影响近百亩农田春耕。",
        "青石村下陈组",
        26,
        "follow_up",
        mediated=True,
    ),
    Story(
        "agent",
        "袁玉兰",
        "13907451102",
        "桶装水生产线影响饮用水源",
        "黄某在下南山脐橙园内安装桶装水生产线，下陈组饮用水源供应受影响，村民情绪激动。",
        "青石村下南山",
        21,
        "feedback",
        mediated=True,
    ),
    Story(
        "agent",
        "朱友发",
        "13907451103",
        "承包地被邻居占用",
        "邻居建房占用本人承包地约半分，多次协商未果。",
        "青石村上屋组",
        4,
        "mediate",
        mediated=True,
    ),
    Story(
        "agent",
        "何春花",
        "13907451104",
        "低保资格被取消",
        "家中丈夫重病，今年低保资格被取消，请求重新核定。",
        "青石村",
        24,
        "follow_up",
        department="mz",
        channel=Channel.PHONE,
    ),
    Story(
        "agent",
        "曾德胜",
        "13907451105",
        "土地承包经营权证登记错误",
        "承包经营权证上面积比实际少一亩二分，村里无法更正，需县里核实。",
        "青石村",
        15,
        "feedback",
        department="nync",
        rating=Rating.BASICALLY,
    ),
    Story(
        "agent",
        "刘桂香",
        "13907451106",
        "危房改造补助未到位",
        "去年列入危房改造，房屋已改造完成，补助款至今未发放。",
        "青石村",
        8,
        "carry_up",
        department="zj",
    ),
    Story(
        "agent",
        "黄明亮",
        "13907451107",
        "山林界址争议",
        "与邻村村民对后山山林界址有争议，需确认权属。",
        "青石村后山",
        2,
        "commit",
    ),
    Story(
        "agent",
        "张小梅",
        "13907451108",
        "村道路灯损坏",
        "村口至学校路段路灯损坏三个月，学生晚归不安全。",
        "青石村",
        0,
        "register",
        channel=Channel.PHONE,
    ),
    Story(
        "agent",
        "朱大山",
        "13907451109",
        "村干部优亲厚友评低保",
        "反映村干部将低保名额给亲属，符合条件的困难户未评上。",
        "青石村",
        12,
        "commit",
        accuses_cadres=True,
    ),
    Story(
        "shiqiao_agent",
        "王秀兰",
        "13907452101",
        "养殖场异味扰民",
        "村里新建养猪场离住户太近，夏天异味严重。",
        "石桥村",
        18,
        "follow_up",
        department="sthj",
    ),
    Story(
        "longtan_agent",
        "邓老五",
        "13907452201",
        "邻里排水纠纷",
        "邻居改建排水沟，雨水倒灌本人院子。",
        "龙潭村",
        10,
        "follow_up",
        mediated=True,
    ),
    Story(
        "nanhu_agent",
        "吴大伟",
        "13907452301",
        "农民工工资被拖欠",
        "在县城工地务工，包工头拖欠工资一万二千元。",
        "南湖村",
        9,
        "feedback",
        department="rs",
        rating=Rating.SATISFIED,
    ),
    Story(
        "liuhe_agent",
        "陈玉梅",
        "13907452401",
        "宅基地审批久拖未办",
        "去年提交宅基地申请，至今没有结果。",
        "柳河村",
        14,
        "carry_up",
        department="zrzy",
    ),
    Story(
        "qs_group_agent",
        "黄细妹",
        "13907452501",
        "组里水塘承包费分配",
        "组里水塘承包费多年未公开分配。",
        "青石村第三组",
        6,
        "feedback",
        mediated=True,
        rating=Rating.BASICALLY,
    ),
    Story(
        "qs_agent",
        "何建军",
        "13907452601",
        "征地补偿标准异议",
        "镇里工业园征地补偿标准低于邻镇，要求说明依据。",
        "青石镇工业园",
        20,
        "follow_up",
        mediated=True,
    ),
    Story(
        "cg_agent",
        "李淑芬",
        "13907452701",
        "小区物业乱收费",
        "物业公司擅自提高停车费。",
        "城关镇",
        11,
        "carry_up",
        department="zj",
    ),
    Story(
        "lh_group_agent",
        "杨老三",
        "13907452801",
        "灌溉用水分配",
        "组内轮灌次序有争议。",
        "柳河村第一组",
        3,
        "mediate",
        mediated=True,
    ),
]


def _step_index(story: Story) -> int:
    return {"register": 0, "commit": 1, "mediate": 2, "carry_up": 2, "feedback": 3, "follow_up": 4}[story.last_step]


def make_network(rng: random.Random, departments: dict[str, Department]) -> None:
    users = {u.username: u for u in db.session.execute(db.select(User).where(User.username.in_(NETWORK))).scalars()}
    clerk = db.session.execute(db.select(User).filter_by(username="clerk")).scalar_one()
    today = local_now().date()
    for story in STORIES:
        _tell(story, users[story.agent], clerk, departments, today)
    _rate_departments(users, today)
    _complaint(users["agent"], clerk, today)
    _screening(rng, users, today)


def _on(day: dt.date, hour: int = 10, minute: int = 0):
    return as_of(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=CST))


def _tell(story: Story, agent: User, clerk: User, departments: dict[str, Department], today: dt.date) -> None:
    start = today - dt.timedelta(days=story.days_ago)
    reached = _step_index(story)
    day = start
    with _on(day, 9):
        matter = agents.register_matter(
            agent,
            name=story.villager,
            phone=story.phone,
            address=story.place,
            channel=story.channel,
            received_on=day,
            case_type=CaseType.CLAIM,
            title=story.title,
            content=story.content,
            place=story.place,
            accuses_local_cadres=story.accuses_cadres,
        )
    holder = agent if matter.area_id == agent.department_id else None
    if holder is None:  # a matter against the village's cadres: the township's agent carries it
        holder = (
            db.session.execute(
                db.select(User).where(User.department_id == matter.area_id, User.role_rows.any(role=Role.AGENT))
            )
            .scalars()
            .first()
        )
    if reached < 1:
        return
    day = min(today, day + dt.timedelta(days=1))
    with _on(day, 15):
        agents.record_commitment(holder, matter, signed_on=day, scan=SCAN)
    if reached < 2:
        return
    day = min(today, day + dt.timedelta(days=2))
    if story.mediated:
        with _on(day, 16):
            agents.record_mediation(
                holder,
                matter,
                mediated_on=day,
                parties=f"{story.villager}、对方当事人、{holder.department.name}调解委员会",
                outcome="经代理员组织双方面对面协商，达成一致意见，当场签订调解协议。",
                agreement_text="双方同意按协商意见执行，今后不再就此事发生争执。",
                villager_confirmed=True,
            )
    else:
        with _on(day, 10):
            case, _ = agents.carry_up(holder, matter)
        with _on(min(today, day + dt.timedelta(days=1)), 9):
            cases.accept(case, clerk)
            if story.department:
                cases.assign(case, clerk, department_id=departments[story.department].id)
                agents.message_agent(
                    clerk,
                    case,
                    f"此件已受理并交{departments[story.department].name}办理，请告知信访人按期等待书面答复。",
                )
    if reached < 3:
        return
    day = min(today, day + dt.timedelta(days=5))
    with _on(day, 11):
        agents.record_feedback(
            holder,
            matter,
            fed_back_on=day,
            text="已向信访人当面反馈办理情况，信访人表示理解。",
            rating=story.rating,
            comment="代理员跑腿办事，不收一分钱。" if story.rating is Rating.SATISFIED else "",
        )
    if reached < 4:
        return
    day = min(today, day + dt.timedelta(days=7))
    with _on(day, 15):
        agents.record_follow_up(holder, matter, followed_up_on=day, text="上门回访，问题已解决，无新的信访隐患。")


def _rate_departments(users: dict[str, User], today: dt.date) -> None:
    ratings = {"agent": Rating.SATISFIED, "shiqiao_agent": Rating.BASICALLY, "nanhu_agent": Rating.SATISFIED}
    with _on(today, 11):
        for username, rating in ratings.items():
            for department in agents.rateable_departments(users[username]):
                agents.rate_department(users[username], department.id, rating, "办理及时，答复清楚。")
        for department in agents.rateable_departments(users["liuhe_agent"]):
            agents.rate_department(users["liuhe_agent"], department.id, Rating.UNSATISFIED, "宅基地审批久拖不决。")


def _complaint(agent: User, clerk: User, today: dt.date) -> None:
    with _on(today - dt.timedelta(days=5), 14):
        agents.register_complaint(
            clerk,
            agent,
            channel=Channel.PHONE,
            title="反映代理员办事拖拉",
            content="去年委托代理员反映的承包地问题，代理员一个多月没有回音。",
            petitioner_name="曾某某",
            phone="13907459901",
        )


DISPUTES = [
    ("邻里纠纷", DisputeKind.NEIGHBOUR, Risk.LOW, "两户因宅基地滴水线发生争执。", "村调委会上门劝导。"),
    ("土地山林", DisputeKind.LAND, Risk.MEDIUM, "两组村民对山林界址有争议，有聚集苗头。", "包片干部已到现场稳控。"),
    ("婚姻家庭", DisputeKind.FAMILY, Risk.LOW, "夫妻因赡养老人问题争吵。", "妇联主席已做疏导。"),
    ("劳资纠纷", DisputeKind.WAGES, Risk.HIGH, "砖厂拖欠十余名村民工资，村民扬言集体上访。", "已联系镇劳动保障所。"),
    ("环境污染", DisputeKind.ENVIRONMENT, Risk.MEDIUM, "养殖场污水排入灌溉渠。", "已通知业主停排。"),
]
PARTIES = ["刘某", "王某", "陈某", "杨某", "赵某", "黄某", "周某", "吴某"]


def _screening(rng: random.Random, users: dict[str, User], today: dt.date) -> None:
    cadres = [u for name, u in users.items() if NETWORK[name][2] is Role.SCREENING]
    for offset in range(SCREENING_DAYS, -1, -1):
        day = today - dt.timedelta(days=offset)
        for cadre in cadres:
            late = cadre.username == LATE_VILLAGE
            if offset == 0 and (late or rng.random() < 0.3):
                continue  # today: some have not reported yet, the late village never on time
            if late and rng.random() < 0.3:
                continue  # missed days
            hour, minute = (19, 40) if late and rng.random() < 0.7 else (rng.randint(8, 16), rng.choice((0, 20, 40)))
            with _on(day, hour, minute):
                if rng.random() < 0.12:
                    _, kind, risk, summary, action = rng.choice(DISPUTES)
                    found = screening.report_dispute(
                        cadre,
                        party=rng.choice(PARTIES),
                        party_phone=f"1390745{rng.randint(1000, 9999)}",
                        kind=kind,
                        place=cadre.department.name.removesuffix("村民委员会").removesuffix("居民委员会"),
                        risk=risk,
                        summary=summary,
                        action_taken=action,
                    )
                    _settle(rng, cadre, found, day, today)
                else:
                    screening.file_zero_report(cadre)
            if day.weekday() == 4 and not late:  # Friday: the week's resolution report
                with _on(day, 16, 50):
                    screening.file_weekly_report(cadre, note="本周排查工作正常开展，矛盾纠纷均已落实化解责任人。")


def _settle(rng: random.Random, cadre: User, found, day: dt.date, today: dt.date) -> None:
    """Most disputes are mediated in a few days; a high-risk one becomes a case; a few stay open."""
    later = min(today, day + dt.timedelta(days=rng.randint(1, 4)))
    if found.risk is Risk.HIGH:
        with _on(later, 10):
            screening.dispute_to_case(
                cadre,
                found,
                title=f"{found.kind.label}：{found.place}",
                content=f"{found.summary}\n已采取的措施：{found.action_taken}",
                phone=None,
            )
    elif rng.random() < 0.75 and later < today:
        with _on(later, 15):
            screening.mediate_dispute(cadre, found, resolution="经村调委会调解，双方达成和解。", day=later)
