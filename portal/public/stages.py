"""The progress page in plain words (issue 17): for each stage of a case, one sentence saying what happens next and by
when, for a person without legal training, and the article of the regulations behind it. The articles' gists are
here too, for the 办理依据 page the "依据" links open. One place: the progress page, its reading aloud and the lookup
API all take the sentence from ``next_step``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal.cases.lifecycle import Status
from portal.cases.models import Case, CaseType

REGULATIONS = "《信访工作条例》"


@dataclass(frozen=True)
class Article:
    number: str  # 二十二
    no: int  # 22, for the page anchor
    gist: str  # what it says, in plain words

    @property
    def anchor(self) -> str:
        return f"art-{self.no}"

    @property
    def citation(self) -> str:
        return f"{REGULATIONS}第{self.number}条"


# The articles of the 2022 regulations the petitioner meets on the progress page, in the order of a case.
ARTICLES = {
    a.number: a
    for a in (
        Article(
            "二十二",
            22,
            "信访部门收到信访事项后，应当登记，并在15日内决定：属于本级机关管的，交给负责的单位办理；"
            "归别的机关管的，转送给有权处理的机关；依法应当通过诉讼、仲裁、行政复议等途径解决的，"
            "不予受理，并告诉信访人可以走哪条途径。",
        ),
        Article(
            "二十三",
            23,
            "信访部门交给其他机关、单位办理的事项，这些单位也要登记；认为不归自己管的，"
            "应当在收到之日起5个工作日内提出异议，由信访部门重新交办。",
        ),
        Article("二十九", 29, "建议、意见类事项，有关机关要研究论证；采纳的，要回复信访人。"),
        Article(
            "三十",
            30,
            "检举、控告类事项，由纪检监察机关或者有权处理的机关依规依纪依法办理；"
            "检举人、控告人的身份和检举控告的内容严格保密。",
        ),
        Article(
            "三十四",
            34,
            "信访事项应当自受理之日起60日内办结，并书面答复信访人；情况复杂的，"
            "经单位负责人批准可以延长，但延长不超过30日，并告诉信访人延期的理由。",
        ),
        Article(
            "三十五",
            35,
            "对处理意见不服的，可以自收到书面答复之日起30日内，向原办理机关的上一级机关请求复查；"
            "复查机关应当自收到复查请求之日起30日内提出复查意见，并书面答复。",
        ),
        Article(
            "三十六",
            36,
            "对复查意见不服的，可以自收到书面答复之日起30日内，向复查机关的上一级机关请求复核；"
            "复核机关应当自收到复核请求之日起30日内提出复核意见，举行听证的，听证时间不算在内。"
            "对复核意见不服，仍以同一事实和理由提出的，不再受理。",
        ),
    )
}


@dataclass(frozen=True)
class NextStep:
    text: str
    article: Article | None


def _by(due: dt.date | None) -> str:
    return f"{due.year}年{due.month}月{due.day}日前" if due else "在规定期限内"


def next_step(case: Case, due: dt.date | None) -> NextStep:
    """What happens next and by when (``due``: the running clock's last day, None when the page may not show it)."""
    s, by = case.status, _by(due)
    review = case.review_kind  # 复查 after the reply, 复核 after the review opinion
    if s is Status.REGISTERED:
        return NextStep(f"信访部门正在看您反映的事情该由谁来办、能不能受理，{by}告诉您是否受理。", ARTICLES["二十二"])
    if s is Status.ACCEPTED:
        return NextStep(f"您的事情已经受理。信访部门会把它交给负责的单位去办，{by}给您书面答复。", ARTICLES["三十四"])
    if s in (Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_SIGNATURE):
        return NextStep(f"负责的单位正在调查、处理您的事情，{by}给您书面答复。", ARTICLES["三十四"])
    if s is Status.AWAITING_VERIFICATION:
        return NextStep(f"处理意见已经写好并由单位负责人签了字，信访部门核对后{by}送达给您。", ARTICLES["三十四"])
    if s in (Status.REPLIED, Status.CLOSED):
        done = "这件事已经办结。" if s is Status.CLOSED else "书面答复已经给您了，内容在本页下方。"
        if case.case_type is CaseType.SUGGESTION:
            return NextStep(done + "欢迎您对办理工作作出评价。", ARTICLES["二十九"])
        if case.case_type is CaseType.ACCUSATION:
            return NextStep(done + "检举控告按纪检监察的规定办理，您的身份严格保密。", ARTICLES["三十"])
        if due is None:
            return NextStep(
                done + f"申请{review}的期限已经过了。", ARTICLES["三十五" if review == "复查" else "三十六"]
            )
        return NextStep(
            done + f"如果您不同意这个意见，可以{by}申请{review}。",
            ARTICLES["三十五" if review == "复查" else "三十六"],
        )
    if s is Status.UNDER_REVIEW:
        return NextStep(f"上一级机关正在重新审查（复查）这件事，{by}给您书面的复查意见。", ARTICLES["三十五"])
    if s is Status.UNDER_REREVIEW:
        return NextStep(f"再上一级机关正在复核这件事，{by}给您书面的复核意见。", ARTICLES["三十六"])
    if s is Status.FINAL:
        return NextStep(
            "复核意见已经作出，这件事的信访程序到此结束；以同样的事实和理由再次信访的，不再受理。",
            ARTICLES["三十六"],
        )
    if s is Status.NOT_ACCEPTED:
        return NextStep("这件事不予受理。原因和您可以走的其他途径，见本页下方的办理过程。", ARTICLES["二十二"])
    if s is Status.FORWARDED:
        return NextStep("这件事归其他机关管，已经转送给有权处理的机关，由该机关告诉您办理情况。", ARTICLES["二十二"])
    # MERGED
    return NextStep("您这次反映的和正在办理的另一件是同一件事，已经合在一起办理，结果会一并答复您。", None)
