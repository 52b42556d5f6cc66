"""Demo data: a believable county for ``flask --app wsgi demo``.

``load_demo`` builds, idempotently, the department tree of one county (leadership, the petition office, the
discipline organ, functional departments, three townships with their villages), its staff, the content categories,
the checklist templates, a few hundred petitions and a month of reception-duty slots.

Every case is driven through ``portal.cases.services`` on backdated days (``portal.localtime.as_of``), so events,
clocks and audit rows are the real ones. The whole history is planned first and then replayed in time order, so
ids, events and the audit log read chronologically. Data is deterministic (``random.Random(2026)``) relative to
today. The loader flushes and never commits: the CLI commits.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from portal.accounts.models import Role, User
from portal.accounts.services import create_user
from portal.cases import services
from portal.cases.identity import id_check_digit
from portal.cases.models import (
    Case,
    CaseType,
    Category,
    Channel,
    ChecklistTemplate,
    ChecklistTemplateItem,
    NotAcceptedRoute,
    Outcome,
    Procedure,
    Rating,
    Status,
)
from portal.deadlines.clock import WorkCalendar
from portal.deadlines.services import work_calendar
from portal.duty.models import DutySlot, Form, Period
from portal.errors import DomainError
from portal.extensions import db
from portal.localtime import CST, as_of
from portal.localtime import now as local_now
from portal.org.models import Department, Kind, Level
from portal.reception.models import Handling, ReceptionLog

SEED = 2026
HISTORY_DAYS = 155  # how far back the oldest case was received (about five months)
RECEPTION_CENTRE = "县人民来访接待中心"


@dataclass
class DemoReport:
    created_users: list[str]  # usernames created in this run (empty on a second run)
    password: str  # the password given
    summary: str  # one line, e.g. "12 departments, 9 users, 300 cases, 40 duty slots"


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
}
# County leaders: username → (分管工作, department keys they oversee). They own cases and take reception duty.
COUNTY_LEADERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "leader": ("党建、信访、乡村振兴", ("nync", "cg", "qs", "lh")),
    "leader2": ("自然资源、住房城乡建设、交通运输、生态环境", ("zrzy", "zj", "jtys", "sthj")),
    "leader3": ("教育、卫生健康、民政、人力资源社会保障", ("jy", "wj", "mz", "rs")),
    "leader4": ("政法、公安、市场监管", ("scjg", "ga", "jw")),
}
TOWNSHIP_LEADERS = {"cg": "cg_leader", "qs": "qs_leader", "lh": "lh_leader"}

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
    "包掌握情况": (True, "investigate", "handler"),
    "包思想转化": (True, "investigate", "handler"),
    "包矛盾化解": (True, "investigate", "handler"),
    "形成处理意见": (True, "investigate", "handler"),
    "领导审签": (True, "signed", "head"),
    "书面答复": (True, "published", "clerk"),
    "包教育稳控": (True, "published", "handler"),
    "回访": (False, "closing", "clerk"),
    "包息访息诉": (True, "closing", "handler"),
}
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


# =============================================================================================================
# Petition matters
# =============================================================================================================
@dataclass(frozen=True)
class Matter:
    """One kind of petition; ``{placeholders}`` are filled per case (see ``_fills``)."""

    category: str
    case_type: CaseType
    dept: str  # department key, or "town" for the township where the matter arose
    title: str
    content: str
    reply: str = ""
    outcome: Outcome = Outcome.SUPPORT
    basis: str = ""
    group: bool = False  # often brought by a group of people
    rural: bool = False  # happens in a village, not in an urban 社区
    simple: bool = False  # qualifies for 简易办理
    route: NotAcceptedRoute | None = None  # for matters the office does not accept
    authority: str = ""  # for matters forwarded outside the county
    reason: str = ""  # the office's note when not accepting or forwarding


C, S, A = CaseType.CLAIM, CaseType.SUGGESTION, CaseType.ACCUSATION
SUPPORT, EXPLAIN, REJECT = Outcome.SUPPORT, Outcome.EXPLAIN, Outcome.REJECT

MATTERS: list[Matter] = [
    Matter(
        "劳动社保",
        C,
        "rs",
        "反映{company}拖欠农民工工资",
        "我们{n}名工友于{year}年在{project}务工，{company}至今拖欠工资共计{amount}万元。多次找项目负责人讨要，"
        "对方以工程款未结算为由推脱。临近年关，家里老人看病、孩子上学都等着用钱，恳请政府帮助追讨。",
        "经县人社局劳动保障监察大队调查核实，{company}确实拖欠{n}名农民工工资{amount}万元。我局已依法下达"
        "《劳动保障监察限期改正指令书》，责令其15日内足额支付；同时启用该项目工资保证金先行垫付，"
        "目前工资已全部发放到位。",
        SUPPORT,
        "《保障农民工工资支付条例》第三条、第三十条",
        group=True,
    ),
    Matter(
        "劳动社保",
        C,
        "rs",
        "申请补缴城乡居民基本养老保险",
        "本人{age}岁，家住{place}，早年外出务工断缴了城乡居民养老保险，现在想一次性补缴，到镇社保所咨询说"
        "政策不允许。请问我这种情况还能不能补缴，今后能否按月领取养老金？",
        "经核实，您于2014年至2019年期间未参加城乡居民基本养老保险。根据现行政策，已年满60周岁的参保人员"
        "不能再补缴此前年度的费用，但可按规定领取基础养老金。我局已安排镇社保所工作人员上门为您办理领取手续，"
        "并当面作了政策解释。",
        EXPLAIN,
        "《国务院关于建立统一的城乡居民基本养老保险制度的意见》",
    ),
    Matter(
        "劳动社保",
        C,
        "rs",
        "工伤认定申请久拖未办",
        "我于{year}年在{company}上班时从脚手架摔下，左腿骨折。公司一直不给出具工伤证明，我向人社局递交工伤认定"
        "申请已两个多月，至今没有结论，医药费都是自己垫付的。",
        "经查，您的工伤认定申请因用人单位未在规定期限内提交举证材料而中止。我局已依法向{company}送达举证通知，"
        "逾期未举证，现依据您提供的证据作出认定工伤决定，并督促单位依法支付停工留薪期待遇。",
        SUPPORT,
        "《工伤保险条例》第十七条、第十九条、第二十条",
    ),
    Matter(
        "劳动社保",
        S,
        "rs",
        "建议增加县城公益性岗位",
        "城里很多四五十岁的下岗人员找工作难，建议县里多开发一些保洁、绿化、停车管理之类的公益性岗位，"
        "优先安排就业困难人员。",
        "感谢您的建议。我局今年已新开发公益性岗位120个，优先安置就业困难人员和零就业家庭成员，"
        "招聘信息在县人社局门户网站和各乡镇便民服务中心公开发布，欢迎符合条件的人员报名。",
        EXPLAIN,
        "《中华人民共和国就业促进法》第五十二条",
        simple=True,
    ),
    Matter(
        "征地拆迁",
        C,
        "zrzy",
        "反映{village}征地补偿款未到位",
        "{year}年县里因{project}征收我们{village}集体土地{area}亩，至今已过去一年多，征地补偿款和安置补助费"
        "仍有一部分没有发到农户手中，村里说钱还在镇上。我们{n}户村民要求尽快兑付。",
        "经县自然资源局会同{town}人民政府核查，{project}征地补偿款已于规定期限内足额拨付至{town}财政所，"
        "因部分农户土地面积存在争议暂缓发放。经现场重新丈量确认，剩余补偿款已于本月全部兑付到户。",
        SUPPORT,
        "《中华人民共和国土地管理法》第四十八条",
        group=True,
        rural=True,
    ),
    Matter(
        "征地拆迁",
        C,
        "zrzy",
        "对{project}房屋征收评估价格有异议",
        "我家房屋位于{place}，被列入{project}征收范围。评估公司给出的价格每平方米只有一千多元，远低于周边"
        "二手房价格，我们认为评估不公，要求重新评估。",
        "经核查，该项目房地产价格评估机构由被征收人投票选定，评估程序合法。您对评估结果有异议的，可在收到评估"
        "报告之日起10日内向评估机构申请复核评估，对复核结果仍有异议的，可向市房地产价格评估专家委员会申请鉴定。",
        EXPLAIN,
        "《国有土地上房屋征收与补偿条例》第十九条",
    ),
    Matter(
        "征地拆迁",
        C,
        "zrzy",
        "要求提高{project}征地补偿标准",
        "{project}征收我们{village}的耕地，补偿标准比县城周边低很多，我们{n}户村民认为不公平，要求按城区标准"
        "重新补偿，否则不同意交地。",
        "经核查，{project}征地补偿严格执行省人民政府公布的区片综合地价标准，{village}所在区片与城区区片地类、"
        "区位条件不同，补偿标准依法分别确定，且已经征地补偿安置方案公告和听证程序。您要求按城区标准补偿，"
        "没有法律和政策依据，不予支持。",
        REJECT,
        "《中华人民共和国土地管理法》第四十八条",
        group=True,
        rural=True,
    ),
    Matter(
        "征地拆迁",
        C,
        "town",
        "宅基地界址纠纷请求调处",
        "我家与邻居在{village}的宅基地相邻，邻居新建房屋占用了我家约两米宽的宅基地，多次协商不成，请求镇政府出面调处。",
        "经{town}人民政府组织国土所、司法所和村委会现场勘查，调阅{year}年宅基地审批资料，确认邻居建房"
        "超出审批范围约1.5米。经调解，双方达成协议，由邻居拆除超占部分围墙并给予适当补偿。",
        SUPPORT,
        "《中华人民共和国土地管理法》第十四条",
        rural=True,
    ),
    Matter(
        "城乡建设",
        C,
        "zj",
        "{community}小区物业服务不到位",
        "{community}小区物业公司收费后不作为：楼道灯坏了几个月没人修，垃圾清运不及时，地下车库积水，"
        "业主多次投诉无果。请住建部门督促整改，必要时更换物业公司。",
        "经县住建局物业管理办公室现场检查，{community}小区物业服务存在公共设施维修不及时、保洁不到位等问题。"
        "我局已约谈物业公司负责人，下达整改通知书，限期30日整改，并将其纳入物业服务企业信用考评。"
        "目前楼道照明已修复，车库排水泵已更换。",
        SUPPORT,
        "《物业管理条例》第三十五条",
        group=True,
    ),
    Matter(
        "城乡建设",
        C,
        "zj",
        "{community}逾期交房、不动产证迟迟办不下来",
        "我于{year}年购买了{community}商品房，合同约定去年底交房，至今未交付，开发商也办不下不动产权证。"
        "请求政府督促开发商按合同履约。",
        "经调查，{community}项目因配套工程未完工导致逾期交付。县住建局已督促开发企业制定交房计划，"
        "预计于下月底前分批交付，同时协调不动产登记中心开辟绿色通道，交房后3个月内办理首次登记。"
        "逾期交房违约金问题属合同纠纷，可与开发企业协商或依法提起诉讼。",
        EXPLAIN,
        "《城市房地产开发经营管理条例》第三十条",
        group=True,
    ),
    Matter(
        "城乡建设",
        S,
        "zj",
        "建议在{road}增设公共停车位",
        "{road}沿线商铺多，车辆乱停乱放，早晚高峰经常堵车，建议利用两侧空地增设公共停车位，并加强管理。",
        "感谢您对城市建设的关心。经现场踏勘，{road}东侧闲置地块具备改建条件，我局已将该处停车场纳入明年"
        "城市更新项目计划，建成后可提供停车位约80个。",
        SUPPORT,
        "",
        simple=True,
    ),
    Matter(
        "城乡建设",
        C,
        "town",
        "{village}违章搭建影响通行",
        "{village}有住户在村道边违章搭建铁皮棚，占用了一半路面，农用车和救护车都进不来，请求依法拆除。",
        "经{town}人民政府核查，该铁皮棚未经审批，占用村道约3米。镇综合行政执法队已依法送达限期拆除通知书，"
        "当事人已于期限内自行拆除，道路已恢复通行。",
        SUPPORT,
        "《中华人民共和国城乡规划法》第六十五条",
        rural=True,
    ),
    Matter(
        "市场监管",
        C,
        "scjg",
        "{community}小区电梯频繁故障",
        "{community}小区3栋电梯一个月内困人两次，物业只是简单修一下，业主都不敢坐了。请求特种设备监管部门检查。",
        "经县市场监管局特种设备安全监察人员现场检查，该电梯存在制动器磨损、门锁回路故障等隐患。我局已责令"
        "维保单位停梯整改，整改完成并经检验合格后方可恢复使用，并对维保单位未按规定维护保养的行为立案调查。",
        SUPPORT,
        "《中华人民共和国特种设备安全法》第四十五条",
    ),
    Matter(
        "市场监管",
        C,
        "scjg",
        "{company}销售过期食品",
        "我在{company}购买的牛奶已过保质期三天仍在货架上销售，向店家反映对方态度恶劣，拒不退换。",
        "经县市场监管局执法人员现场检查，{company}货架上确有3个批次的乳制品超过保质期。我局已依法没收"
        "过期食品，对其立案查处，并责令其向您退还货款，给予十倍赔偿，您已领取赔偿款。",
        SUPPORT,
        "《中华人民共和国食品安全法》第三十四条、第一百四十八条",
        simple=True,
    ),
    Matter(
        "市场监管",
        C,
        "scjg",
        "健身房预付卡商家关门跑路",
        "我在城关镇{road}的一家健身房办了年卡，交了三千多元，上周健身房突然关门，老板联系不上，"
        "像我这样的会员有一百多人。",
        "经查，该健身房经营者因经营困难停业。县市场监管局已会同公安、商务部门约谈经营者，督促其制定退费方案；"
        "目前已退还部分会员费用，其余部分正在协调中。涉嫌诈骗的，可向公安机关报案。",
        EXPLAIN,
        "《中华人民共和国消费者权益保护法》第五十三条",
        group=True,
    ),
    Matter(
        "农村农业",
        C,
        "nync",
        "耕地地力保护补贴未发放",
        "我家在{village}承包耕地{area}亩，今年的耕地地力保护补贴到现在还没打到一卡通上，问村里说不清楚。",
        "经县农业农村局核查，您家今年补贴因承包地面积信息与确权数据不一致未能发放。现已核实更正，"
        "补贴资金已于本月通过惠民惠农财政补贴资金“一卡通”发放到位。",
        SUPPORT,
        "《耕地地力保护补贴资金管理办法》",
        rural=True,
    ),
    Matter(
        "农村农业",
        C,
        "town",
        "{village}自来水经常停水、水质浑浊",
        "{village}通自来水后经常停水，来水时水质浑浊发黄，全村几百口人吃水困难，老百姓希望喝上干净的水。",
        "经{town}人民政府会同县水利局调查，{village}供水管网老化、沉淀池滤料失效。现已更换滤料、改造管网"
        "1.2公里，县疾控中心水质检测结果符合生活饮用水卫生标准，村民吃水问题已解决。",
        SUPPORT,
        "",
        group=True,
        rural=True,
    ),
    Matter(
        "农村农业",
        S,
        "nync",
        "建议扶持{village}发展特色种植",
        "我们{village}适合种植油茶和中药材，希望农业部门派技术人员指导，并在种苗和贷款上给予扶持。",
        "感谢您的建议。县农业农村局已将{village}纳入明年特色产业示范村，安排农技人员开展技术培训，"
        "种苗补贴和贴息贷款政策可向{town}农业综合服务中心咨询申报。",
        EXPLAIN,
        "",
        simple=True,
        rural=True,
    ),
    Matter(
        "交通运输",
        C,
        "jtys",
        "{village}通村公路损毁严重",
        "{village}到镇上的通村公路路面坑洼，去年汛期冲毁了一段，至今没修，学生上学、农产品外运都很不方便。",
        "经县交通运输局现场勘查，该路段水毁长度约200米。已列入今年农村公路水毁修复计划，"
        "现已完成路基修复和路面硬化，恢复正常通行。",
        SUPPORT,
        "《农村公路建设管理办法》",
        rural=True,
    ),
    Matter(
        "交通运输",
        S,
        "jtys",
        "建议开通县城至{town}公交线路",
        "{town}到县城只有几趟私人客车，票价高、班次少，建议开通城乡公交，方便群众出行。",
        "感谢您的建议。县交通运输局已将县城至{town}城乡公交线路纳入明年城乡公交一体化实施计划，"
        "线路开通前将通过媒体向社会公布。",
        EXPLAIN,
        "",
        simple=True,
    ),
    Matter(
        "教育文体",
        C,
        "jy",
        "反映{school}违规收取资料费",
        "{school}每学期向学生收取资料费两百元，没有收据，也不公示，家长不敢得罪老师，只好交钱。",
        "经县教育局调查，{school}存在代购教辅资料未严格执行自愿原则的问题。我局已责令学校全额退还所收费用，"
        "对分管副校长进行诫勉谈话，并在全县开展教育收费专项检查。",
        SUPPORT,
        "《中小学教辅材料管理办法》第十一条",
    ),
    Matter(
        "教育文体",
        S,
        "jy",
        "{school}门口上下学交通拥堵",
        "{school}门口是一条窄路，每天上学放学接送车辆挤成一团，存在安全隐患，建议设置护学岗和临时停车区。",
        "感谢您的建议。县教育局已会同交警部门在{school}门口设置护学岗，早晚高峰安排民警和志愿者疏导，"
        "并施划临时停车区，交通秩序明显好转。",
        SUPPORT,
        "",
        simple=True,
    ),
    Matter(
        "教育文体",
        C,
        "jy",
        "孩子就近入学问题",
        "我家户口和房子都在{place}，孩子今年上一年级，却被安排到离家五公里外的学校，请求按就近原则入学。",
        "经核查，您家所在片区今年适龄儿童人数超过学校学位容量，县教育局依据招生方案进行统筹调剂。"
        "我局已将您孩子调整到距家约2公里的城关镇第二小学就读，并安排校车接送。",
        EXPLAIN,
        "《中华人民共和国义务教育法》第十二条",
    ),
    Matter(
        "教育文体",
        C,
        "jy",
        "要求将孩子转入{school}就读",
        "我家住在{place}，想让孩子转到{school}读书，学校说学位已满不接收，请教育局协调。",
        "经核查，{school}本学期各年级学位均已满额，您家住址不在该校划片招生范围内，且无其他可适用的"
        "转学政策，您的转学申请不予支持。孩子可在户籍所在片区学校就读，我局已协调该校做好衔接。",
        REJECT,
        "《中华人民共和国义务教育法》第十二条",
    ),
    Matter(
        "卫生健康",
        C,
        "wj",
        "对{hospital}诊疗过程有异议",
        "我父亲在{hospital}住院期间病情加重，我们认为医生处置不及时，要求医院给个说法，医院一直推诿。",
        "经县卫生健康局调查，{hospital}在诊疗过程中存在病历书写不规范、会诊不及时等问题，已责令医院整改并"
        "对相关责任人进行处理。关于赔偿问题，可通过县医疗纠纷人民调解委员会调解，或依法申请医疗损害鉴定、"
        "提起诉讼。",
        EXPLAIN,
        "《医疗纠纷预防和处理条例》第二十二条",
    ),
    Matter(
        "卫生健康",
        S,
        "wj",
        "{town}卫生院夜间无医生值班",
        "{town}卫生院晚上经常没有医生值班，老人孩子夜里生病只能往县城跑，建议卫生院落实24小时值班制度。",
        "感谢您的监督。经县卫生健康局暗访检查，{town}卫生院确有夜间值班人员脱岗情况，已责令整改并通报批评，"
        "同时从县人民医院下派医生轮值，保障夜间急诊服务。",
        SUPPORT,
        "《医疗机构管理条例》",
        simple=True,
    ),
    Matter(
        "卫生健康",
        C,
        "wj",
        "家庭医生签约服务未落实",
        "我们家签了家庭医生，但一年来医生从没上门随访过，老人的慢病药也要自己跑去开，签约只是走形式。",
        "经调查，{town}卫生院家庭医生团队存在随访不到位的问题。已责令其建立签约居民随访台账，每季度至少随访一次，"
        "并为您家老人开通慢病长处方服务。",
        SUPPORT,
        "《关于推进家庭医生签约服务的指导意见》",
    ),
    Matter(
        "环境保护",
        C,
        "sthj",
        "{company}夜间排放刺鼻废气",
        "{place}附近的{company}每天晚上排放刺鼻废气，周边居民晚上不敢开窗，不少老人孩子咳嗽，请求查处。",
        "经县生态环境局夜间突击检查和监测，{company}废气处理设施未正常运行，排放浓度超标。"
        "我局已依法责令其停产整改并立案处罚，整改后复测结果达标。",
        SUPPORT,
        "《中华人民共和国大气污染防治法》第九十九条",
        group=True,
    ),
    Matter(
        "环境保护",
        C,
        "sthj",
        "养殖场污水直排河道",
        "{village}的一家养猪场把粪污直接排进河里，河水发黑发臭，下游村民的农田都受到影响。",
        "经县生态环境局会同{town}人民政府现场检查，该养殖场粪污处理设施不完善，存在直排现象。"
        "已责令其限期完善治污设施，对其违法行为立案查处，并组织清理受污染河段。",
        SUPPORT,
        "《畜禽规模养殖污染防治条例》第四十二条",
        rural=True,
    ),
    Matter(
        "环境保护",
        C,
        "sthj",
        "{road}夜间施工噪声扰民",
        "{road}的工地经常施工到半夜，打桩机声音很大，附近居民无法休息。",
        "经县生态环境局调查，该工地夜间施工未取得许可。已责令施工单位停止夜间作业，依法处以罚款，"
        "并要求其调整施工时间、设置隔音屏障。",
        SUPPORT,
        "《中华人民共和国噪声污染防治法》第四十三条",
        simple=True,
    ),
    Matter(
        "民政",
        C,
        "mz",
        "申请纳入最低生活保障",
        "我今年{age}岁，老伴常年卧病，家里没有劳动力，收入很低，去年申请低保没有批下来，请求重新审核。",
        "经县民政局会同{town}人民政府入户调查和家庭经济状况核对，您家庭人均收入低于本县低保标准，"
        "符合条件，已于本月纳入最低生活保障范围，按月发放低保金。",
        SUPPORT,
        "《社会救助暂行办法》第九条",
    ),
    Matter(
        "民政",
        C,
        "mz",
        "高龄津贴未按时发放",
        "我母亲今年已满八十岁，按政策应该领取高龄津贴，但半年了一直没有发放。",
        "经核查，因您母亲身份信息变更后未及时更新，高龄津贴暂停发放。现已完成信息更正，半年的津贴已一次性补发到位。",
        SUPPORT,
        "",
        simple=True,
    ),
    Matter(
        "民政",
        S,
        "mz",
        "建议在{village}建设村级养老服务站",
        "{village}留守老人多，子女都在外打工，建议建设村级养老服务站，解决老人吃饭和日间照料问题。",
        "感谢您的建议。县民政局已将{village}纳入明年农村互助养老服务设施建设计划，建成后将提供助餐、日间照料等服务。",
        EXPLAIN,
        "",
        rural=True,
    ),
    Matter(
        "政法",
        C,
        "town",
        "邻里之间排水纠纷请求调解",
        "邻居家改建院子后把排水沟堵了，下雨时雨水全部流到我家院里，多次协商无果，请求村镇调解。",
        "经{town}人民调解委员会组织双方现场调解，邻居同意恢复原排水沟，并由村委会协调铺设排水管道，"
        "双方签订了调解协议。",
        SUPPORT,
        "《中华人民共和国人民调解法》",
    ),
    Matter(
        "纪检监察",
        A,
        "jw",
        "反映{village}村干部在低保评定中优亲厚友",
        "{village}村干部把自己亲戚和关系好的人评上低保，有的家里有车有房也在吃低保，真正困难的人却评不上。",
        "经县纪委监委调查核实，{village}在低保评定中存在未按规定开展民主评议、个别不符合条件人员享受低保的问题。"
        "已督促县民政局取消3户不符合条件人员的低保资格并追缴资金，对相关村干部给予党纪处分。",
        SUPPORT,
        "《中国共产党纪律处分条例》",
        rural=True,
    ),
    Matter(
        "纪检监察",
        A,
        "jw",
        "检举{village}虚报冒领危房改造补助",
        "{village}有人虚报危房，冒领农村危房改造补助资金，村干部知情不报，可能还从中拿好处。",
        "经县纪委监委调查，反映的部分问题属实：{village}有2户不符合条件人员领取危房改造补助，"
        "相关资金已全部追回，对负有责任的村干部给予诫勉谈话处理。其他问题经查无实据。",
        EXPLAIN,
        "《中华人民共和国监察法》第四十五条",
        rural=True,
    ),
    Matter(
        "纪检监察",
        A,
        "jw",
        "反映基层站所工作人员吃拿卡要",
        "我到{town}某站所办理手续，工作人员以各种理由刁难，暗示要请吃饭才给办，群众意见很大。",
        "经县纪委监委核查，反映的问题部分属实，相关工作人员存在服务态度差、办事拖延等作风问题，"
        "已对其进行批评教育并调离窗口岗位；收受财物问题经查无实据。",
        EXPLAIN,
        "《中国共产党纪律处分条例》",
    ),
    Matter(
        "纪检监察",
        A,
        "jw",
        "反映{village}集体资金使用不公开",
        "{village}集体土地出租收入和项目资金的使用情况从来不公开，村民要求查账，村里一直不让看。",
        "经县纪委监委会同县农业农村局对{village}近三年集体“三资”进行审计，未发现侵占挪用问题，"
        "但存在村务公开不及时的问题，已责令村委会限期公开并建立季度公开制度。",
        EXPLAIN,
        "《中华人民共和国村民委员会组织法》第三十条",
        rural=True,
    ),
]

NOT_ACCEPTED_MATTERS: list[Matter] = [
    Matter(
        "劳动社保",
        C,
        "",
        "与{company}解除劳动合同经济补偿争议",
        "我在{company}工作八年，公司以经营困难为由把我辞退，只给了一个月工资，我认为应按工作年限支付经济补偿。",
        route=NotAcceptedRoute.ARBITRATION,
        reason="经了解，信访人与{company}之间系解除劳动合同引发的经济补偿争议。",
    ),
    Matter(
        "政法",
        C,
        "",
        "民间借贷纠纷请求政府帮助追款",
        "我借给同村人五万元，有借条，到期后对方一直不还，请求政府帮我把钱要回来。",
        route=NotAcceptedRoute.LITIGATION,
        reason="经了解，双方系民间借贷关系，有借条为证。",
    ),
    Matter(
        "政法",
        C,
        "",
        "对法院民事判决不服",
        "我和邻居的相邻权纠纷案，县法院的判决明显偏袒对方，我不服，请求政府给我主持公道。",
        route=NotAcceptedRoute.OTHER_LEGAL,
        reason="该案已由县人民法院作出生效判决，不服的可依法向上级人民法院申请再审。",
    ),
    Matter(
        "政法",
        C,
        "",
        "不服交通违法行政处罚",
        "我的车被交警以违停为由罚款扣分，我认为当时是临时停车下客，处罚不合理。",
        route=NotAcceptedRoute.RECONSIDERATION,
        reason="信访人对县公安局交通管理大队作出的行政处罚决定不服。",
    ),
    Matter(
        "纪检监察",
        C,
        "",
        "党员对所受党纪处分不服",
        "本人是党员，去年受到党内警告处分，我认为处分事实认定有误，要求撤销处分。",
        route=NotAcceptedRoute.PARTY,
        reason="信访人对所受党内警告处分不服，应向作出处分决定的党组织提出申诉。",
    ),
    Matter(
        "城乡建设",
        C,
        "",
        "离婚后房产分割纠纷",
        "离婚时法院判决房子归我，但前夫一直占着不搬，请求政府出面让他搬走。",
        route=NotAcceptedRoute.OTHER_LEGAL,
        reason="离婚判决已生效，对方拒不履行的，可向县人民法院申请强制执行。",
    ),
    Matter(
        "征地拆迁",
        C,
        "",
        "对不动产登记行为不服",
        "不动产登记中心把我家的房子登记到了我弟弟名下，我认为登记错误，要求撤销。",
        route=NotAcceptedRoute.RECONSIDERATION,
        reason="信访人对县不动产登记中心作出的登记行为不服。",
    ),
]

FORWARDED_MATTERS: list[Matter] = [
    Matter(
        "其他",
        C,
        "",
        "反映邻县企业拖欠货款",
        "我给邻县一家食品厂供应原材料，对方拖欠货款二十多万元，请求帮助协调。",
        authority="邻县信访局",
        reason="问题发生地在邻县，依属地原则转送。",
    ),
    Matter(
        "城乡建设",
        C,
        "",
        "反映市区小区物业问题",
        "我在市区购买的商品房小区物业管理混乱，公共收益去向不明。",
        authority="市住房和城乡建设局",
        reason="问题发生在市区，属市级部门职责。",
    ),
    Matter(
        "交通运输",
        C,
        "",
        "反映高速公路服务区收费不合理",
        "高速公路服务区加油站和超市价格明显高于市场价，请求有关部门查处。",
        authority="省交通运输厅高速公路管理局",
        reason="属省级管理事项。",
    ),
    Matter(
        "城乡建设",
        C,
        "",
        "住房公积金提取被拒",
        "我申请提取住房公积金用于支付房租，被市公积金中心以材料不全为由拒绝。",
        authority="市住房公积金管理中心",
        reason="属市住房公积金管理中心职责。",
    ),
    Matter(
        "征地拆迁",
        C,
        "",
        "反映铁路建设项目征地补偿问题",
        "国家铁路项目经过我们村，临时用地复垦不到位，补偿标准也不清楚。",
        authority="市自然资源和规划局",
        reason="属市级重点项目，由市级主管部门负责。",
    ),
    Matter(
        "其他",
        C,
        "",
        "反映银行暴力催收",
        "我的信用卡逾期后，银行委托的催收公司天天打电话骚扰我和家人，言语威胁。",
        authority="国家金融监督管理总局市监管分局",
        reason="属金融监管事项。",
    ),
]

COMPANIES = [
    "鑫达建筑劳务有限公司",
    "宏远房地产开发有限公司",
    "恒通物流有限公司",
    "绿源食品有限公司",
    "华宇建设工程有限公司",
    "顺发纺织厂",
    "福源养殖场",
    "万家福超市",
    "金鑫化工有限公司",
    "永盛木业有限公司",
]
PROJECTS = [
    "县第二中学教学楼扩建工程",
    "滨河路改造工程",
    "城南安置小区二期",
    "青石至柳河公路改建工程",
    "县人民医院住院楼项目",
    "工业园区标准化厂房项目",
]
COMMUNITIES = ["锦绣家园", "滨江花园", "阳光新城", "金桂苑", "城南安置小区", "御景华府"]
SCHOOLS = ["县第二中学", "城关镇中心小学", "青石镇中学", "柳河乡中心小学", "县实验幼儿园"]
HOSPITALS = ["县人民医院", "县中医院", "青石镇卫生院", "柳河乡卫生院"]
ROADS = ["建设路", "人民路", "滨河路", "解放街", "迎宾大道"]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫"
    "孔向汤"
)
MALE_NAMES = [
    "建国",
    "志强",
    "国平",
    "德明",
    "海波",
    "春生",
    "长青",
    "立新",
    "卫东",
    "红军",
    "文斌",
    "永福",
    "金山",
    "俊杰",
    "浩然",
    "子豪",
    "明亮",
    "家宝",
    "大勇",
    "成林",
    "宏伟",
    "振华",
    "庆丰",
    "满仓",
    "福生",
    "国庆",
    "跃进",
    "保国",
    "学军",
    "新民",
    "和平",
    "云",
    "强",
    "军",
    "斌",
]
FEMALE_NAMES = [
    "秀英",
    "桂兰",
    "玉梅",
    "淑芬",
    "春梅",
    "丽华",
    "红梅",
    "美玲",
    "晓燕",
    "海燕",
    "翠花",
    "凤英",
    "小红",
    "丽娟",
    "雪梅",
    "金凤",
    "素珍",
    "慧敏",
    "婷婷",
    "佳怡",
    "芳",
    "敏",
    "静",
]
PHONE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
]
ID_REGION = {"cg": "439901", "qs": "439902", "lh": "439903"}  # fictitious region codes

INSTRUCTIONS = [
    "请{dept}高度重视，依法依规妥善处理，{days}日内将办理结果报县信访局。",
    "此件请{dept}主要负责同志亲自过问，认真核实，及时回应群众诉求。",
    "涉及群众切身利益，请{dept}抓紧落实，防止矛盾激化，办理情况及时报我。",
    "请{dept}牵头，会同属地乡镇现场核实，拿出具体解决方案。",
    "同意县信访局拟办意见，请{dept}按期办结，县信访局跟踪督办。",
]
REHANDLE_INSTRUCTION = "答复避重就轻，未回应信访人核心诉求，请{dept}重新调查，逐项答复。"
RETURN_COMMENTS = [
    "答复内容过于笼统，请补充调查核实的具体情况和政策依据后重新提交。",
    "处理意见未写明信访人不服时的救济途径，请补充。",
    "事实部分表述不准确，请与信访人再次核对后修改。",
]
SEND_BACK_COMMENTS = [
    "处理意见书未回应信访人提出的核心诉求，答复敷衍，退回重办。",
    "调查不深入，未到现场核实，处理意见依据不足，退回重办。",
]
EVALUATION_COMMENTS = {
    Rating.SATISFIED: ["办事效率高，工作人员态度好，感谢！", "问题解决了，谢谢政府。", "答复很详细，满意。"],
    Rating.BASICALLY: ["问题基本解决，希望后续跟进落实。", "处理还算及时，但过程有点慢。"],
    Rating.UNSATISFIED: ["答复避重就轻，问题没有实质解决。", "补偿标准太低，不认可。", "推来推去，没人真管。"],
}
FOLLOW_UPS = [
    ("电话", "电话回访，信访人表示问题已得到解决，对处理结果满意。"),
    ("面访", "到信访人家中回访，当面了解落实情况，信访人表示认可，不再信访。"),
    ("短信", "短信回访，信访人回复问题已基本解决。"),
]
REVIEW_REASONS = [
    "对处理意见不服，认为没有解决实际问题，申请复查。",
    "处理意见未回应我的主要诉求，申请复查。",
    "认为调查不全面，事实认定有误，申请复查。",
]
REREVIEW_REASONS = ["对复查意见仍然不服，申请复核。", "复查只是维持原意见，没有重新调查，申请复核。"]
REVIEW_UPHELD = (
    "经复查，{dept}作出的处理意见认定事实清楚，适用依据正确，程序合法，予以维持。"
    "对信访人提出的其他诉求，已由{dept}当面作了解释说明。"
)
REVIEW_AMENDED = (
    "经复查，{dept}作出的处理意见对信访人部分合理诉求考虑不充分，现予以变更："
    "责成{dept}在30日内重新核定并落实，结果书面告知信访人。"
)
REREVIEW_TEXT = (
    "经复核，复查意见认定事实清楚，适用依据正确，予以维持。本复核意见为终结意见，"
    "信访人以同一事实和理由再次提出的信访事项，不再受理。"
)
MARK_OFF_NOTES = [
    "问题已解决，信访人息诉罢访，同意销号。",
    "已按处理意见落实到位，经回访信访人认可，予以销号。",
    "处理意见已落实，清单事项全部完成，销号。",
]
ACCEPT_NOTES = ["", "属本机关职责范围，依法受理。", "材料齐全，予以受理。"]

# How statuses are spread over the cases (every status appears at least once).
STATUS_WEIGHTS = {
    Status.REGISTERED: 10,
    Status.ACCEPTED: 6,
    Status.NOT_ACCEPTED: 16,
    Status.FORWARDED: 10,
    Status.ASSIGNED: 12,
    Status.IN_PROGRESS: 40,
    Status.AWAITING_SIGNATURE: 12,
    Status.AWAITING_VERIFICATION: 10,
    Status.REPLIED: 36,
    Status.UNDER_REVIEW: 8,
    Status.UNDER_REREVIEW: 5,
    Status.FINAL: 6,
    Status.CLOSED: 110,
}
CHANNEL_WEIGHTS = {
    Channel.VISIT: 30,
    Channel.ONLINE: 25,
    Channel.LETTER: 16,
    Channel.PHONE: 17,
    Channel.EMAIL: 6,
    Channel.FAX: 6,
}
TYPE_WEIGHTS = {CaseType.CLAIM: 70, CaseType.SUGGESTION: 18, CaseType.ACCUSATION: 12}
# Open statuses whose clock may be made to run out on purpose (probability), giving a few overdue cases.
OVERDUE_CHANCE = {Status.REGISTERED: 0.25, Status.IN_PROGRESS: 0.12, Status.AWAITING_SIGNATURE: 0.1}


# =============================================================================================================
# Entry point
# =============================================================================================================
def load_demo(password: str, cases: int = 300) -> DemoReport:
    """Create what is missing of the demo county; never touch what exists (users' passwords included)."""
    rng = random.Random(SEED)
    today = local_now().date()
    with as_of(today - dt.timedelta(days=HISTORY_DAYS + 10)):  # staff were there before the first petition
        departments = _ensure_departments()
        created = _ensure_users(password, departments)
        db.session.flush()  # timestamps are taken at flush time
    categories = _ensure_categories()
    _ensure_checklist_templates()
    db.session.flush()
    if cases > 0 and not _exists(Case):
        _CaseLoader(rng, departments, categories).run(cases)
    if not _exists(DutySlot):
        _make_duty_slots(rng)
    db.session.flush()
    if cases > 0 and not _exists(ReceptionLog):
        _make_reception_logs(rng, departments)
    db.session.flush()
    return DemoReport(created_users=created, password=password, summary=_summary())


def _exists(model) -> bool:
    return db.session.execute(db.select(model.id).limit(1)).first() is not None


def _count(model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def _summary() -> str:
    return (
        f"{_count(Department)} departments, {_count(User)} users, {_count(Case)} cases, {_count(DutySlot)} duty slots"
    )


# --- reference data ------------------------------------------------------------------------------------------
def _ensure_departments() -> dict[str, Department]:
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


def _ensure_users(password: str, departments: dict[str, Department]) -> list[str]:
    existing = set(db.session.execute(db.select(User.username).where(User.username.in_(STAFF))).scalars())
    created = []
    for username, (name, dept, role, title) in STAFF.items():
        if username not in existing:
            create_user(
                username=username, password=password, name=name, department=departments[dept], roles=[role], title=title
            )
            created.append(username)
    return created


def _ensure_categories() -> dict[str, int]:
    existing = {c.name: c for c in db.session.execute(db.select(Category)).scalars()}
    for name in CATEGORIES:
        if name not in existing:
            existing[name] = Category(name=name)
            db.session.add(existing[name])
    db.session.flush()
    return {name: category.id for name, category in existing.items()}


def _ensure_checklist_templates() -> None:
    names = set(db.session.execute(db.select(ChecklistTemplate.name)).scalars())
    for name, (case_type, leader_owned, labels) in CHECKLIST_TEMPLATES.items():
        if name in names:
            continue
        items = [
            ChecklistTemplateItem(position=i, label=label, required=CHECKLIST_ITEMS[label][0])
            for i, label in enumerate(labels, start=1)
        ]
        db.session.add(ChecklistTemplate(name=name, case_type=case_type, leader_owned=leader_owned, items=items))


# =============================================================================================================
# Case planning
# =============================================================================================================
@dataclass
class Person:
    name: str
    phone: str | None
    id_number: str | None
    address: str


@dataclass
class Spec:
    """One step of a case's history: ``action`` by ``who``, ``lo``–``hi`` days after the previous step."""

    action: str
    lo: int
    hi: int
    who: str = "clerk"
    args: dict = field(default_factory=dict)

    @property
    def on_workdays(self) -> bool:
        return self.who != "public"


@dataclass
class Plan:
    index: int
    status: Status
    channel: Channel
    matter: Matter
    fills: dict
    person: Person
    simple: bool = False
    owner: str | None = None  # username of the leader who owns the case
    overdue: bool = False
    confidential: bool = False
    people_count: int = 1
    specs: list[Spec] = field(default_factory=list)
    received: dt.date | None = None
    times: list[dt.datetime] = field(default_factory=list)
    repeat_of: Plan | None = None
    case: Case | None = None

    @property
    def pool(self) -> str:
        return {Status.NOT_ACCEPTED: "not_accepted", Status.FORWARDED: "forwarded"}.get(self.status, "main")

    @property
    def dept_key(self) -> str:
        return self.fills["town_key"] if self.matter.dept == "town" else self.matter.dept

    @property
    def actor_online(self) -> bool:
        return self.channel is Channel.ONLINE


class _Planner:
    """Decides, for every case, its matter, petitioner, path through the lifecycle and the day of each step."""

    def __init__(self, rng: random.Random, calendar: WorkCalendar, today: dt.date, now: dt.datetime):
        self.rng, self.calendar, self.today, self.now = rng, calendar, today, now
        self.earliest = today - dt.timedelta(days=HISTORY_DAYS)

    # --- the whole set ------------------------------------------------------------------------------------
    def plans(self, count: int) -> list[Plan]:
        statuses = self._spread(list(Status), STATUS_WEIGHTS, count)
        channels = self._spread(list(Channel), CHANNEL_WEIGHTS, count)
        types = self._spread(list(CaseType), TYPE_WEIGHTS, count)
        plans = [self._plan(i, statuses[i], channels[i], types[i]) for i in range(count)]
        self._link_repeats(plans)
        return plans

    def _spread(self, values: list, weights: dict, count: int) -> list:
        """Every value once (as far as ``count`` allows), the rest by weight, shuffled."""
        chosen = values[:count] + self.rng.choices(
            values, weights=[weights[v] for v in values], k=max(0, count - len(values))
        )
        self.rng.shuffle(chosen)
        return chosen

    # --- one case -----------------------------------------------------------------------------------------
    def _plan(self, index: int, status: Status, channel: Channel, case_type: CaseType) -> Plan:
        rng = self.rng
        matter = self._matter(status, case_type)
        fills = self._fills(matter)
        plan = Plan(index, status, channel, matter, fills, self._person(fills, channel))
        plan.simple = matter.simple and plan.pool == "main" and rng.random() < 0.6
        plan.overdue = not plan.simple and rng.random() < OVERDUE_CHANCE.get(status, 0)
        plan.confidential = matter.case_type is CaseType.ACCUSATION or rng.random() < 0.05
        plan.people_count = (
            rng.randint(5, 30) if matter.group and channel is Channel.VISIT and rng.random() < 0.6 else 1
        )
        if status not in (Status.REGISTERED, Status.ACCEPTED, Status.NOT_ACCEPTED, Status.FORWARDED):
            plan.owner = self._owner(plan)
        plan.specs = _Path(rng, plan).specs()
        self._schedule(plan)
        return plan

    def _matter(self, status: Status, case_type: CaseType) -> Matter:
        if status is Status.NOT_ACCEPTED:
            return self.rng.choice(NOT_ACCEPTED_MATTERS)
        if status is Status.FORWARDED:
            return self.rng.choice(FORWARDED_MATTERS)
        return self.rng.choice([m for m in MATTERS if m.case_type is case_type])

    def _fills(self, matter: Matter) -> dict:
        rng = self.rng
        town_key = rng.choice(list(TOWNSHIPS))
        town, villages = TOWNSHIPS[town_key]
        village = rng.choice([v for v in villages if not (matter.rural and v.endswith("社区"))])
        return {
            "town_key": town_key,
            "town": town,
            "village": village,
            "place": f"{town}{village}",
            "company": rng.choice(COMPANIES),
            "project": rng.choice(PROJECTS),
            "community": rng.choice(COMMUNITIES),
            "school": rng.choice(SCHOOLS),
            "hospital": rng.choice(HOSPITALS),
            "road": rng.choice(ROADS),
            "n": rng.randint(6, 40),
            "amount": rng.choice([3.6, 8.2, 12.5, 18, 26.8, 42, 57.3]),
            "area": rng.choice([12, 26, 38.5, 54, 80, 126]),
            "age": rng.randint(55, 78),
            "year": self.today.year - rng.choice([0, 1, 1, 2]),
        }

    def _person(self, fills: dict, channel: Channel) -> Person:
        rng = self.rng
        male = rng.random() < 0.62
        name = rng.choice(SURNAMES) + rng.choice(MALE_NAMES if male else FEMALE_NAMES)
        phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        wants_id = {Channel.VISIT: 0.85, Channel.LETTER: 0.7, Channel.ONLINE: 0.5}.get(channel, 0.25)
        id_number = _id_number(rng, fills["town_key"], male) if rng.random() < wants_id else None
        if fills["village"].endswith("社区"):
            address = f"{fills['place']}{rng.choice(ROADS)}{rng.randint(1, 300)}号"
        else:
            address = f"{fills['place']}{rng.choice('一二三四五六七八')}组{rng.randint(1, 60)}号"
        return Person(name, phone, id_number, address)

    def _owner(self, plan: Plan) -> str | None:
        rng = self.rng
        if rng.random() >= (0.45 if plan.matter.group else 0.15):
            return None
        if plan.matter.dept == "town" and rng.random() < 0.5:
            return TOWNSHIP_LEADERS[plan.fills["town_key"]]
        return _overseer(plan.dept_key)

    # --- days and times -----------------------------------------------------------------------------------
    def _schedule(self, plan: Plan) -> None:
        anchor, lo_age, base_hi_age = _anchor(plan)
        for attempt in range(300):
            scale = max(0.25, 1 - attempt / 60)
            # Around a long holiday no staff step fits in a few days: let the step be a little older.
            hi_age = base_hi_age + max(0, attempt - 100) // 4
            gaps = [self.rng.randint(s.lo, max(s.lo, round(s.hi * scale))) for s in plan.specs]
            anchor_offset = sum(gaps[: anchor + 1]) if anchor >= 0 else 0
            span_after = sum(gaps[anchor + 1 :]) if anchor >= 0 else sum(gaps)
            low = max(lo_age, span_after)
            if low > hi_age:
                continue
            received = self.today - dt.timedelta(days=self.rng.randint(low, hi_age) + anchor_offset)
            if received < self.earliest:
                continue
            received = self._received_day(plan, received)
            days = self._days(plan, received, gaps)
            anchor_day = days[anchor] if anchor >= 0 else received
            if (
                days[-1] <= self.today
                and lo_age <= (self.today - anchor_day).days <= hi_age
                and _windows_ok(plan, days)
            ):
                plan.received = received
                plan.times = self._times(plan, days)
                return
        raise RuntimeError(f"demo: cannot fit a {plan.status} case before {self.today}")

    def _received_day(self, plan: Plan, day: dt.date) -> dt.date:
        if plan.channel in (Channel.VISIT, Channel.LETTER, Channel.PHONE, Channel.FAX):
            return self._workday(day)
        return day

    def _days(self, plan: Plan, received: dt.date, gaps: list[int]) -> list[dt.date]:
        days, day = [], received
        for spec, gap in zip(plan.specs, gaps, strict=True):
            day += dt.timedelta(days=gap)
            if spec.on_workdays:
                day = self._workday(day)
            days.append(day)
        return days

    def _workday(self, day: dt.date) -> dt.date:
        while not self.calendar.is_workday(day):
            day += dt.timedelta(days=1)
        return day

    def _times(self, plan: Plan, days: list[dt.date]) -> list[dt.datetime]:
        """A moment for every step: office hours for staff, any waking hour for the public, always in order."""
        rng, times, previous = self.rng, [], None
        for spec, day in zip(plan.specs, days, strict=True):
            if previous is not None and previous.date() == day:
                moment = previous + dt.timedelta(minutes=rng.randint(5, 90))
            elif spec.on_workdays:
                start = rng.choice([(8, 40, 11, 30), (14, 30, 17, 20)])
                moment = _moment(rng, day, *start)
            else:
                moment = _moment(rng, day, 7, 0, 22, 30)
            times.append(moment)
            previous = moment
        limit = self.now - dt.timedelta(minutes=1)  # nothing may happen after the real now
        for i in range(len(times) - 1, -1, -1):
            times[i] = min(times[i], limit)
            limit = times[i] - dt.timedelta(minutes=1)
        return times

    # --- repeat petitions ---------------------------------------------------------------------------------
    def _link_repeats(self, plans: list[Plan]) -> None:
        """About one case in twelve comes back from an earlier petitioner on the same matter (重信重访)."""
        ordered = sorted((p for p in plans if p.pool == "main"), key=lambda p: p.times[0])
        originals: set[int] = set()
        for plan in ordered:  # in time order, so an origin is never itself turned into a repeat afterwards
            if plan.simple or plan.index in originals or self.rng.random() >= 0.08:
                continue
            candidates = [
                o
                for o in ordered
                if o.repeat_of is None
                and o is not plan
                and o.matter.case_type is plan.matter.case_type
                and o.times[0] < plan.times[0] - dt.timedelta(days=10)
            ]
            if not candidates:
                continue
            origin = self.rng.choice(candidates)
            originals.add(origin.index)
            plan.repeat_of, plan.matter, plan.person = origin, origin.matter, origin.person
            plan.fills = origin.fills
            plan.confidential = plan.confidential or origin.confidential


def _windows_ok(plan: Plan, days: list[dt.date]) -> bool:
    """Evaluations and review requests fall inside the 30 days after the latest delivery."""
    delivered = None
    for spec, day in zip(plan.specs, days, strict=True):
        if spec.action in ("publish", "decide_review"):
            delivered = day
        elif spec.action in ("evaluate", "request_review", "request_rereview") and (day - delivered).days > 28:
            return False
    return True


def _overseer(dept_key: str) -> str:
    """The county leader in charge of a department (分管领导)."""
    for username, (_, keys) in COUNTY_LEADERS.items():
        if dept_key in keys:
            return username
    return "leader"


def _moment(rng: random.Random, day: dt.date, h1: int, m1: int, h2: int, m2: int) -> dt.datetime:
    minute = rng.randint(h1 * 60 + m1, h2 * 60 + m2)
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=CST)


def _anchor(plan: Plan) -> tuple[int, int, int]:
    """Which step's age decides whether the case's clock still runs (index, -1 for receipt) and its allowed age.

    Open cases stay inside their clock unless the plan is overdue on purpose; finished ones spread over the history.
    """
    actions = [s.action for s in plan.specs]

    def last(action: str) -> int:
        return len(actions) - 1 - actions[::-1].index(action)

    status, overdue = plan.status, plan.overdue
    if status is Status.REGISTERED:
        return (-1, 18, 45) if overdue else (-1, 0, 2 if plan.simple else 12)
    if status in (
        Status.ACCEPTED,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.AWAITING_SIGNATURE,
        Status.AWAITING_VERIFICATION,
    ):
        if overdue:
            return last("accept"), 63, 110
        if plan.simple:
            return last("accept"), 0, 10
        return last("accept"), 0, {Status.ACCEPTED: 4, Status.ASSIGNED: 9}.get(status, 55)
    if status is Status.REPLIED:
        return (last("decide_review") if "decide_review" in actions else last("publish")), 0, 26
    if status is Status.UNDER_REVIEW:
        return last("request_review"), 0, 26
    if status is Status.UNDER_REREVIEW:
        return last("request_rereview"), 0, 26
    return -1, 0, HISTORY_DAYS


class _Path:
    """The steps that take one planned case to its target status."""

    def __init__(self, rng: random.Random, plan: Plan):
        self.rng, self.plan, self.specs_ = rng, plan, []

    def add(self, action: str, lo: int, hi: int, who: str = "clerk", **args) -> None:
        self.specs_.append(Spec(action, lo, hi, who, args))

    def specs(self) -> list[Spec]:
        plan, status = self.plan, self.plan.status
        self._register()
        if status is Status.REGISTERED:
            return self.specs_
        decision = (0, 2) if plan.simple else (1, 9)
        if status in (Status.NOT_ACCEPTED, Status.FORWARDED):
            self.add("not_accept" if status is Status.NOT_ACCEPTED else "forward", *decision)
            return self.specs_
        self.add("accept", *decision)
        if status is Status.ACCEPTED:
            return self.specs_
        self.add("assign", 0, 2)
        if plan.owner or self.rng.random() < 0.12:
            self.add("instruct", 0, 2, who="leader")
        if status is Status.ASSIGNED:
            return self.specs_
        self._handle()
        if status in (Status.IN_PROGRESS, Status.AWAITING_SIGNATURE, Status.AWAITING_VERIFICATION):
            return self.specs_
        self._after_reply()
        return self.specs_

    def _register(self) -> None:
        plan = self.plan
        late = plan.channel in (Channel.LETTER, Channel.EMAIL, Channel.FAX)
        self.add("register", 0, 2 if late else 0, who="public" if plan.actor_online else "clerk")

    def _labels(self, phase: str) -> list[str]:
        labels = list(CHECKLIST_TEMPLATES["信访事项办理清单"][2])
        if self.plan.matter.case_type is CaseType.ACCUSATION:
            labels += CHECKLIST_TEMPLATES["检举控告件附加清单"][2]
        if self.plan.owner:
            labels += CHECKLIST_TEMPLATES["领导包案“五包”清单"][2]
        chosen = [label for label in labels if CHECKLIST_ITEMS[label][1] == phase]
        if phase == "investigate":
            chosen.sort(key=INVESTIGATE_ORDER.index)
        return chosen

    def _tick(self, labels: list[str], lo: int, hi: int) -> None:
        for label in labels:
            self.add("tick", lo, hi, who=CHECKLIST_ITEMS[label][2], label=label)

    def _handle(self) -> None:
        """From the start of handling to the signed reply (or as far as the target status goes)."""
        plan, status, simple = self.plan, self.plan.status, self.plan.simple
        self.add("start", 0 if simple else 1, 1 if simple else 4, who="handler")
        investigate = self._labels("investigate")
        if self.rng.random() < 0.5:
            self.add("note", 1, 5, who="handler")
        if status is Status.IN_PROGRESS:
            self._tick(investigate[: self.rng.randint(0, len(investigate) - 1)], 1, 6)
            if not simple and self.rng.random() < 0.25:
                self.add("request_extension", 20, 40, who="handler")
                if self.rng.random() < 0.6:
                    self.add("approve_extension", 1, 3, who="head")
            if plan.overdue or self.rng.random() < 0.1:
                self.add("supervise", 3, 10, who="supervisor")
            return
        self._tick(investigate, 0 if simple else 2, 2 if simple else 9)
        if not simple and self.rng.random() < 0.1:
            self.add("draft", 1, 4, who="handler")
            self.add("return_draft", 1, 3, who="head")
        self.add("draft", 0 if simple else 1, 2 if simple else 5, who="handler")
        if status is Status.AWAITING_SIGNATURE:
            if plan.overdue:
                self.add("supervise", 3, 10, who="supervisor")
            return
        self.add("sign", 0 if simple else 1, 1 if simple else 4, who="head")
        if not simple and self.rng.random() < 0.08:
            self.add("send_back", 1, 3)
            if plan.owner:
                self.add("instruct", 0, 1, who="leader", rehandle=True)
            self.add("draft", 3, 10, who="handler")
            self.add("sign", 1, 3, who="head")
        self._tick(self._labels("signed"), 0, 0)

    def _after_reply(self) -> None:
        status, rng = self.plan.status, self.rng
        self.add("publish", 0 if self.plan.simple else 1, 1 if self.plan.simple else 3)
        self._tick(self._labels("published"), 0, 2)
        if status is Status.REPLIED:
            if rng.random() < 0.25:
                self._review(follow_up=rng.random() < 0.5)
            else:
                self._feedback(
                    rating=rng.choices(list(Rating), weights=[60, 28, 12])[0] if rng.random() < 0.6 else None,
                    follow_up=rng.random() < 0.3,
                )
        elif status is Status.UNDER_REVIEW:
            if rng.random() < 0.6:
                self.add("evaluate", 1, 12, who="public", rating=Rating.UNSATISFIED)
            self.add("request_review", 2, 14, who=self._petitioner())
        elif status is Status.UNDER_REREVIEW:
            self._review(follow_up=False)
            self.add("request_rereview", 3, 18, who=self._petitioner())
        elif status is Status.FINAL:
            self._review(follow_up=False)
            self.add("request_rereview", 3, 18, who=self._petitioner())
            self.add("decide_rereview", 8, 25)
        else:
            self._closed()

    def _petitioner(self) -> str:
        return "public" if self.plan.actor_online else "clerk"

    def _review(self, *, follow_up: bool) -> None:
        if self.rng.random() < 0.5:
            self.add("evaluate", 1, 12, who="public", rating=Rating.UNSATISFIED)
        self.add("request_review", 2, 14, who=self._petitioner())
        self.add("decide_review", 8, 25)
        if follow_up:
            self.add("follow_up", 3, 12, satisfaction=Rating.BASICALLY)

    def _feedback(self, *, rating: Rating | None, follow_up: bool) -> None:
        if rating is not None:
            self.add("evaluate", 1, 20, who="public", rating=rating)
        if follow_up:
            self.add("follow_up", 3, 15, satisfaction=rating if rating is not Rating.UNSATISFIED else None)
            self._tick([label for label in self._labels("closing") if label == "回访"], 0, 0)

    def _closed(self) -> None:
        """Closed from a plain reply (most), after a review, or after a final re-review opinion."""
        rng = self.rng
        path = rng.choices(["reply", "review", "final"], weights=[84, 8, 8])[0]
        if path == "final":
            self._review_then_final()
            return
        if path == "review":
            self.add("request_review", 5, 20, who=self._petitioner())
            self.add("decide_review", 8, 25)
            self._feedback(rating=Rating.BASICALLY if rng.random() < 0.5 else None, follow_up=True)
        else:
            rating = rng.choices([Rating.SATISFIED, Rating.BASICALLY, None], weights=[55, 25, 20])[0]
            self._feedback(rating=rating, follow_up=rating is None or rng.random() < 0.4)
        self._tick([label for label in self._labels("closing") if label != "回访"], 0, 2)
        self.add("mark_off", 1, 8)

    def _review_then_final(self) -> None:
        self.add("request_review", 5, 20, who=self._petitioner())
        self.add("decide_review", 8, 25)
        self.add("request_rereview", 3, 18, who=self._petitioner())
        # Closing items are ticked while the case is still open; the final opinion closes the checklist.
        self._tick([label for label in self._labels("closing") if label != "回访"], 2, 10)
        self.add("decide_rereview", 8, 20)
        self.add("follow_up", 3, 12, satisfaction=Rating.BASICALLY)
        self.add("mark_off", 1, 8)


def _id_number(rng: random.Random, town_key: str, male: bool) -> str:
    """A fake but well-formed 18-character resident ID (fictitious region code, valid check digit)."""
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 52))
    sequence = rng.randrange(0, 100) * 10 + rng.choice([1, 3, 5, 7, 9] if male else [0, 2, 4, 6, 8])
    body = f"{ID_REGION[town_key]}{birth:%Y%m%d}{sequence:03d}"
    return body + id_check_digit(body)


def _contact(person: Person, channel: Channel) -> tuple[str | None, str | None]:
    """Phone callers rarely give an ID number; everybody else gives what they have."""
    if channel is Channel.PHONE:
        return person.phone, None
    return person.phone, person.id_number


# =============================================================================================================
# Case replay
# =============================================================================================================
class _CaseLoader:
    """Plans every case and replays all steps of all cases in time order through the services."""

    def __init__(self, rng: random.Random, departments: dict[str, Department], categories: dict[str, int]):
        self.rng, self.departments, self.categories = rng, departments, categories
        self.users = {
            u.username: u for u in db.session.execute(db.select(User).where(User.username.in_(STAFF))).scalars()
        }

    def run(self, count: int) -> None:
        self._check_staff()
        now = local_now()
        planner = _Planner(self.rng, work_calendar(), now.date(), now)
        plans = planner.plans(count)
        steps = sorted(
            (
                (when, plan.index, seq, plan, spec)
                for plan in plans
                for seq, (when, spec) in enumerate(zip(plan.times, plan.specs, strict=True))
            ),
            key=lambda step: step[:3],
        )
        for when, _, _, plan, spec in steps:
            with as_of(when):
                getattr(self, f"_do_{spec.action}")(plan, spec)
                # Column defaults (timestamps) are taken at flush time: flush while the step's moment holds.
                db.session.flush()

    def _check_staff(self) -> None:
        for username, (_, _, role, _) in STAFF.items():
            user = self.users.get(username)
            if user is None or not user.active or role not in user.roles:
                raise DomainError(f"演示数据需要在岗的用户 {username}（{role.label}），请检查后重试。")

    # --- who acts -----------------------------------------------------------------------------------------
    def _actor(self, plan: Plan, who: str) -> User | None:
        if who == "public":
            return None
        if who == "handler":
            return self.users["handler" if plan.dept_key == "rs" else f"{plan.dept_key}_handler"]
        if who == "head":
            return self.users["dept_head" if plan.dept_key == "rs" else f"{plan.dept_key}_head"]
        if who == "leader":
            return self.users[plan.owner or _overseer(plan.dept_key)]
        return self.users[who]

    def _text(self, template: str, plan: Plan) -> str:
        return template.format(
            **plan.fills,
            dept=self.departments[plan.dept_key].name if plan.dept_key else "",
            days=self.rng.choice([7, 10, 15]),
        )

    # --- registration and decision ------------------------------------------------------------------------
    def _do_register(self, plan: Plan, spec: Spec) -> None:
        matter, person = plan.matter, plan.person
        title, content = self._text(matter.title, plan), self._text(matter.content, plan)
        repeat_of = plan.repeat_of.case if plan.repeat_of else None
        if repeat_of is not None:
            title = ("再次反映：" + title)[:100]
            content = (
                f"我曾于{repeat_of.received_on:%Y年%m月%d日}反映过此事，至今问题仍未彻底解决，现再次反映。" + content
            )
        phone, id_number = _contact(person, plan.channel)
        plan.case, _ = services.register_case(
            self._actor(plan, spec.who),
            channel=plan.channel,
            case_type=matter.case_type,
            title=title,
            content=content,
            petitioner_name=person.name,
            phone=phone,
            id_number=id_number,
            address=person.address,
            received_on=plan.received,
            category_id=self.categories.get(matter.category),
            procedure=Procedure.SIMPLE if plan.simple else Procedure.NORMAL,
            confidential=plan.confidential,
            people_count=plan.people_count,
            place=plan.fills["place"],
            repeat_of_id=repeat_of.id if repeat_of else None,
            new_facts=bool(repeat_of and repeat_of.review_level >= 2),
        )  # after 复核, only new facts are taken up

    def _do_accept(self, plan: Plan, spec: Spec) -> None:
        services.accept(
            plan.case,
            self.users["clerk"],
            note=self.rng.choice(ACCEPT_NOTES),
            reason="诉求简单明确、事实清楚、争议不大的首次信访" if plan.simple else "",
        )

    def _do_not_accept(self, plan: Plan, spec: Spec) -> None:
        services.not_accept(
            plan.case, self.users["clerk"], route=plan.matter.route, reason=self._text(plan.matter.reason, plan)
        )

    def _do_forward(self, plan: Plan, spec: Spec) -> None:
        services.forward(plan.case, self.users["clerk"], authority=plan.matter.authority, reason=plan.matter.reason)

    # --- handling -----------------------------------------------------------------------------------------
    def _do_assign(self, plan: Plan, spec: Spec) -> None:
        owner = self.users[plan.owner].id if plan.owner else None
        services.assign(
            plan.case, self.users["clerk"], department_id=self.departments[plan.dept_key].id, owner_leader_id=owner
        )

    def _do_instruct(self, plan: Plan, spec: Spec) -> None:
        rehandle = spec.args.get("rehandle", False)
        text = REHANDLE_INSTRUCTION if rehandle else self.rng.choice(INSTRUCTIONS)
        services.add_instruction(plan.case, self._actor(plan, "leader"), text=self._text(text, plan), rehandle=rehandle)

    def _do_start(self, plan: Plan, spec: Spec) -> None:
        services.start(plan.case, self._actor(plan, "handler"))

    def _do_note(self, plan: Plan, spec: Spec) -> None:
        services.add_note(plan.case, self._actor(plan, "handler"), text=self._text(self.rng.choice(NOTES), plan))

    def _do_request_extension(self, plan: Plan, spec: Spec) -> None:
        if plan.case.clock_rule in ("handle", "simple_handle"):
            services.request_extension(
                plan.case,
                self._actor(plan, "handler"),
                days=self.rng.choice([15, 20, 30]),
                reason=self.rng.choice(EXTENSION_REASONS),
            )

    def _do_approve_extension(self, plan: Plan, spec: Spec) -> None:
        if plan.case.pending_extension is not None:
            services.decide_extension(plan.case, self._actor(plan, "head"), approve=True, note="同意延期，抓紧办理。")

    def _do_tick(self, plan: Plan, spec: Spec) -> None:
        for item in plan.case.checklist:
            if item.label == spec.args["label"] and not item.done:
                services.tick_checklist_item(item, self._actor(plan, spec.who), done=True)
                return

    def _do_draft(self, plan: Plan, spec: Spec) -> None:
        services.draft_reply(
            plan.case,
            self._actor(plan, "handler"),
            outcome=plan.matter.outcome,
            text=self._text(plan.matter.reply, plan),
            legal_basis=plan.matter.basis,
        )

    def _do_return_draft(self, plan: Plan, spec: Spec) -> None:
        services.return_draft(plan.case, self._actor(plan, "head"), comment=self.rng.choice(RETURN_COMMENTS))

    def _do_sign(self, plan: Plan, spec: Spec) -> None:
        services.sign_reply(plan.case, self._actor(plan, "head"))

    def _do_send_back(self, plan: Plan, spec: Spec) -> None:
        services.send_back(plan.case, self.users["clerk"], comment=self.rng.choice(SEND_BACK_COMMENTS))

    def _do_publish(self, plan: Plan, spec: Spec) -> None:
        if plan.channel is Channel.ONLINE:
            method = ""  # the service sends it through the portal
        else:
            method = "邮寄送达" if plan.channel is Channel.LETTER else self.rng.choice(["直接送达", "当面送达"])
        services.publish_reply(plan.case, self.users["clerk"], method=method)

    def _do_supervise(self, plan: Plan, spec: Spec) -> None:
        """督办."""
        case = plan.case
        services.supervise(
            case,
            self.users["supervisor"],
            note=f"请{case.department.name}加快办理进度，按期办结，并将办理情况书面报县委督查室。",
        )

    # --- after the reply ----------------------------------------------------------------------------------
    def _do_evaluate(self, plan: Plan, spec: Spec) -> None:
        rating = spec.args["rating"]
        acceptance = Rating.SATISFIED if rating is not Rating.UNSATISFIED or self.rng.random() < 0.5 else rating
        services.record_evaluation(
            plan.case, acceptance=acceptance, handling=rating, comment=self.rng.choice(EVALUATION_COMMENTS[rating])
        )

    def _do_follow_up(self, plan: Plan, spec: Spec) -> None:
        method, notes = self.rng.choice(FOLLOW_UPS)
        services.record_follow_up(
            plan.case, self.users["clerk"], method=method, satisfaction=spec.args.get("satisfaction"), notes=notes
        )

    def _do_request_review(self, plan: Plan, spec: Spec) -> None:
        services.request_review(plan.case, self._actor(plan, spec.who), reason=self.rng.choice(REVIEW_REASONS))

    def _do_request_rereview(self, plan: Plan, spec: Spec) -> None:
        services.request_review(plan.case, self._actor(plan, spec.who), reason=self.rng.choice(REREVIEW_REASONS))

    def _reviewer(self, case: Case) -> User:
        """Someone of the organ above that reviews the case; the petition office when there is none."""
        organ = case.reviewing_department_id
        if organ is None:
            return self.users["clerk"]
        return next(
            u
            for u in sorted(self.users.values(), key=lambda u: u.username)
            if u.department_id == organ and u.has_role(Role.LEADER, Role.DEPT_HEAD)
        )

    def _do_decide_review(self, plan: Plan, spec: Spec) -> None:
        amended = self.rng.random() < 0.2
        services.decide_review(
            plan.case,
            self._reviewer(plan.case),
            outcome=Outcome.SUPPORT if amended else Outcome.EXPLAIN,
            text=self._text(REVIEW_AMENDED if amended else REVIEW_UPHELD, plan),
            legal_basis="《信访工作条例》第三十五条",
        )

    def _do_decide_rereview(self, plan: Plan, spec: Spec) -> None:
        services.decide_review(
            plan.case,
            self._reviewer(plan.case),
            outcome=Outcome.EXPLAIN,
            text=REREVIEW_TEXT,
            legal_basis="《信访工作条例》第三十六条",
        )

    def _do_mark_off(self, plan: Plan, spec: Spec) -> None:
        if plan.case.status is Status.REPLIED:  # templates edited by an admin may hold items the plan did not know
            for item in plan.case.checklist:
                if item.required and not item.done:
                    services.tick_checklist_item(item, self.users["clerk"], done=True)
        services.mark_off(plan.case, self.users["clerk"], note=self.rng.choice(MARK_OFF_NOTES))


# =============================================================================================================
# Reception duty
# =============================================================================================================
def _make_duty_slots(rng: random.Random) -> None:
    """Every working day from two weeks ago to four weeks ahead: one county leader at the reception centre (or on
    a field visit), and each township leader once a week at the township's 群众工作站. Slots up to three weeks
    ahead are published (well over the two days the roster rule asks); the last week is still a draft."""
    calendar, today = work_calendar(), local_now().date()
    leaders = {
        u.username: u
        for u in db.session.execute(
            db.select(User).where(User.username.in_([*COUNTY_LEADERS, *TOWNSHIP_LEADERS.values()]))
        ).scalars()
    }
    first, last = today - dt.timedelta(days=14), today + dt.timedelta(days=28)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    workdays = [d for d in days if calendar.is_workday(d)]
    rota = [name for name in COUNTY_LEADERS if name in leaders]
    with as_of(first - dt.timedelta(days=5)):
        for i, day in enumerate(workdays):
            if rota:
                _county_slot(rng, leaders[rota[i % len(rota)]], day, today)
        for town_key, username in TOWNSHIP_LEADERS.items():
            if username in leaders:
                _township_slots(rng, leaders[username], town_key, workdays, today)
        db.session.flush()


def _published(day: dt.date, today: dt.date) -> bool:
    return day <= today + dt.timedelta(days=21)


NOTES = [
    "已到现场查看，情况与信访人反映基本一致，正在调取相关材料。",
    "已约谈信访人，了解诉求详情，信访人表示愿意配合调查。",
    "已向{dept}相关股室调阅档案，待比对核实。",
]
EXTENSION_REASONS = [
    "涉及多个部门和历史遗留问题，需进一步调查核实",
    "需委托第三方进行专业鉴定",
    "当事人众多，需逐一核实身份和诉求",
]
RECEPTION_VISITS = [
    # (matter, place, people, answered on the spot?, answer or instruction, department key)
    (
        "反映小区地下车库长期积水，物业推诿不处理。",
        "城关镇幸福路锦绣家园",
        1,
        False,
        "请县住建局牵头，督促物业公司十日内排水清淤，结果书面答复群众。",
        "zj",
    ),
    (
        "咨询城乡居民医保断缴后如何补缴。",
        "",
        1,
        True,
        "当场告知：携带身份证到县医保服务中心窗口办理补缴，缴费次月起恢复待遇。",
        None,
    ),
    (
        "反映用人单位拖欠工资三个月，共12名工友。",
        "青石镇建材工业园",
        6,
        False,
        "请县人社局依法责令企业限期支付，涉嫌拒不支付的移送公安机关。",
        "rs",
    ),
    (
        "询问宅基地审批办理流程和所需材料。",
        "",
        1,
        True,
        "当场解答：向村委会提出申请，经乡镇审核后报县自然资源局审批，已给群众办事指南。",
        None,
    ),
    (
        "反映村道年久失修，雨天学生上学困难。",
        "柳河乡红旗村",
        3,
        False,
        "请县交通运输局会同柳河乡实地勘察，纳入明年农村公路养护计划并答复群众。",
        "jtys",
    ),
]


def _make_reception_logs(rng: random.Random, departments: dict[str, Department]) -> None:
    """Logs for a few past county duty days: visitors answered on the spot and visits transferred into cases."""
    from portal.reception import services as reception

    today = local_now().date()
    slots = (
        db.session.execute(
            db.select(DutySlot)
            .where(
                DutySlot.day < today,
                DutySlot.day >= today - dt.timedelta(days=30),
                DutySlot.cancelled.is_(False),
                DutySlot.form != Form.FIELD,
            )
            .order_by(DutySlot.day.desc())
        )
        .scalars()
        .all()
    )
    slots = [s for s in slots if s.leader.department.level is Level.COUNTY][:4]
    people = iter(_demo_visitors(rng))
    for index, slot in enumerate(slots):
        with as_of(slot.day):
            for matter, place, count, answered, text, dept in RECEPTION_VISITS[index % 2 :: 2][:3]:
                name, phone = next(people)
                visitor = reception.Visitor(
                    name=name,
                    matter=matter,
                    phone=phone,
                    address=place or "城关镇",
                    place=place,
                    people_count=count,
                    representatives=(name,) if count >= 5 else (),
                )
                if answered:
                    reception.add_entry(
                        slot,
                        slot.leader,
                        visitor,
                        handling=Handling.ANSWERED,
                        answer=text,
                        satisfaction=Rating.SATISFIED,
                    )
                else:
                    reception.add_entry(
                        slot,
                        slot.leader,
                        visitor,
                        handling=Handling.TRANSFERRED,
                        department_id=departments[dept].id,
                        instruction=text,
                    )
            if index:  # the most recent log is left open for the leader to finish
                reception.submit_log(slot, slot.leader, summary="接待来访群众，当场答复和批示转办情况如上。")


def _demo_visitors(rng: random.Random):
    while True:
        surname = rng.choice(SURNAMES)
        given = rng.choice(MALE_NAMES + FEMALE_NAMES)
        yield surname + given, rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _county_slot(rng: random.Random, leader: User, day: dt.date, today: dt.date) -> None:
    topics = COUNTY_LEADERS[leader.username][0]
    if day.weekday() == 3:  # Thursdays: 带案下访 to a township
        town = rng.choice([name for name, _ in TOWNSHIPS.values()])
        place, form, period = f"{town}群众工作站", Form.FIELD, Period.DAY
    elif rng.random() < 0.2:
        place, form, period = RECEPTION_CENTRE, Form.APPOINTMENT, rng.choice([Period.MORNING, Period.AFTERNOON])
    else:
        place, form, period = RECEPTION_CENTRE, Form.FIXED, Period.DAY
    db.session.add(
        DutySlot(
            day=day,
            period=period,
            leader=leader,
            place=place,
            form=form,
            topics=topics,
            published=_published(day, today),
        )
    )


def _township_slots(rng: random.Random, leader: User, town_key: str, workdays: list[dt.date], today: dt.date) -> None:
    town = TOWNSHIPS[town_key][0]
    weekday = {"cg": 0, "qs": 1, "lh": 2}[town_key]
    by_week: dict[tuple[int, int], list[dt.date]] = {}
    for day in workdays:
        by_week.setdefault(day.isocalendar()[:2], []).append(day)
    for week_days in by_week.values():
        day = next((d for d in week_days if d.weekday() == weekday), None)
        if day is None and len(week_days) >= 3:  # the usual day is a holiday: take the week's first working day
            day = week_days[0]
        if day is None:
            continue
        db.session.add(
            DutySlot(
                day=day,
                period=Period.MORNING,
                leader=leader,
                place=f"{town}群众工作站",
                form=Form.FIXED,
                topics=f"{town}信访稳定、矛盾纠纷排查化解",
                published=_published(day, today),
            )
        )
