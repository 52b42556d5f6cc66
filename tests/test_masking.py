"""Masked personal data: the public sees the surname, compound surnames (复姓) included, and nothing of the given
name; a phone number keeps its first three and last four digits."""

from __future__ import annotations

import pytest

from portal.cases.models import Petitioner
from portal.cases.models import mask_name as mask_name_from_models
from portal.masking import COMPOUND_SURNAMES, mask_name, mask_phone


@pytest.mark.parametrize(
    "name, masked",
    [
        ("张三", "张*"),
        ("王秀英", "王**"),
        ("张", "张*"),
        ("欧阳娜娜", "欧阳**"),
        ("司马光", "司马*"),
        ("诸葛亮", "诸葛*"),
        ("皇甫嵩", "皇甫*"),
        ("上官婉儿", "上官**"),
        ("万俟卨", "万俟*"),
        ("独孤信", "独孤*"),
        ("端木蕻良", "端木**"),
    ],
)
def test_a_name_shows_its_surname_and_one_star_for_each_other_character(name, masked):
    assert mask_name(name) == masked


# The compound surnames issue 9 names, written as people write them.
NAMED_IN_THE_ISSUE = (
    "皇甫 欧阳 司马 上官 诸葛 东方 慕容 令狐 司徒 夏侯 尉迟 长孙 "
    "公孙 宇文 轩辕 端木 西门 独孤 南宫 万俟 闻人 申屠 澹台 呼延"
)


@pytest.mark.parametrize("surname", NAMED_IN_THE_ISSUE.split())
def test_every_common_compound_surname_is_kept_whole(surname):
    assert surname in COMPOUND_SURNAMES
    assert mask_name(surname + "明") == surname + "*"
    assert mask_name(surname + "明华") == surname + "**"


def test_a_two_character_name_that_is_a_compound_surname_shows_one_character():
    # 欧阳 alone is 欧 + a given name 阳 as far as anyone can tell: showing both would show the given name.
    assert mask_name("欧阳") == "欧*"
    assert mask_name("司马") == "司*"


@pytest.mark.parametrize("name", ["", None, "   "])
def test_no_name_is_one_star(name):
    assert mask_name(name) == "*"


def test_a_name_is_trimmed_before_it_is_masked():
    assert mask_name(" 欧阳娜娜 ") == "欧阳**"


def test_a_character_that_only_looks_like_a_compound_start_is_one_character():
    assert mask_name("欧娜娜") == "欧**"
    assert mask_name("马司光") == "马**"


@pytest.mark.parametrize(
    "phone, masked",
    [("13812345678", "138****5678"), ("0731-84567890", "073****7890"), ("1234567", "123****4567")],
)
def test_a_phone_keeps_its_first_three_and_last_four_digits(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize("phone", [None, "", "123456"])
def test_a_missing_or_short_phone_shows_a_dash(phone):
    assert mask_phone(phone) == "—"


def test_the_petitioner_model_masks_with_the_same_rules():
    petitioner = Petitioner(name="欧阳娜娜", phone="13912345678")
    assert petitioner.masked_name == "欧阳**" and petitioner.masked_phone == "139****5678"
    assert mask_name_from_models is mask_name  # existing callers keep importing it from the models
