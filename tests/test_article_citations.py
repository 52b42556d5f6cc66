"""Articles cited to people are those of the 2022 《信访工作条例》 (finding 10 of issue 12)."""

import re
from pathlib import Path

import pytest

from portal.errors import DomainError
from portal.validation import representatives

ROOT = Path(__file__).resolve().parent.parent
CITATION = re.compile(r"《信访工作条例》第([一二三四五六七八九十]+)条")
# Every article of the 2022 text the product cites, with what it says there.
CITED = {
    "十八": "公布信访渠道",
    "十九": "已经受理或者正在办理的，在规定期限内向受理、办理机关的上级又提出同一信访事项的，上级不予受理",
    "二十": "走访；多人走访推选代表，不超过5人",
    "二十二": "信访部门15日内告知是否受理",
    "二十三": "其他机关、单位受理；对交办有异议的5个工作日",
    "二十八": "秉公办理；与信访事项或者信访人有直接利害关系的，应当回避",
    "二十九": "建议意见类事项研究论证，采纳的予以回复",
    "三十": "检举控告类事项",
    "三十二": "信访处理意见书载明信访人投诉请求、事实和理由、处理意见及其法律法规依据",
    "三十四": "60日办结；延长不超过30日",
    "三十五": "复查",
    "三十六": "复核；同一事实和理由不再受理",
}


def test_the_five_representatives_refusal_cites_article_20_of_the_2022_regulations():
    with pytest.raises(DomainError) as refused:
        representatives(["甲", "乙", "丙", "丁", "戊", "己"], people_count=30, limit=5)

    assert "《信访工作条例》第二十条" in refused.value.message
    assert "第十八条" not in refused.value.message


def test_every_article_of_the_regulations_cited_in_code_and_templates_is_one_checked_against_the_2022_text():
    cited = {
        number
        for folder in ("portal", "templates")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".py", ".html"}
        for number in CITATION.findall(path.read_text(encoding="utf-8"))
    }

    assert cited <= set(CITED), f"a newly cited article, check it against the 2022 text: {cited - set(CITED)}"
