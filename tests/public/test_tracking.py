"""Lookup by tracking code + query code, the progress page, the petitioner's evaluation and review requests."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.cases.models import CaseType, Status
from tests.public.conftest import QUERY_CODE

WRONG = "信访件编号或查询码不正确"


def test_lookup_form_posts_and_a_right_pair_opens_the_progress_page(client, public_case, looked_up):
    code = public_case(Status.ASSIGNED)
    assert 'method="post"' in client.get("/track").get_data(as_text=True)
    response = looked_up(code)
    assert response.location.endswith(f"/track/{code}") and "?" not in response.location
    html = client.get(f"/track/{code}").get_data(as_text=True)
    assert "受理告知" in html and "交办" in html and 'aria-current="step"' in html
    assert "县住房和城乡建设局" in html or "承办" in html


@pytest.mark.parametrize("pair", [("XF20990101-AAAAAA", QUERY_CODE), (None, "AAAAAAAAAA"), (None, "")])
def test_a_wrong_pair_gets_one_generic_message(client, public_case, pair):
    code = public_case()
    tracking_code = pair[0] or code
    response = client.post("/track", data={"tracking_code": tracking_code, "query_code": pair[1]})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert (WRONG in html) or ("请填写查询码" in html)
    assert client.get(f"/track/{code}").get_data(as_text=True).count("查询码") >= 1  # still the form
    assert "办理过程" not in client.get(f"/track/{code}").get_data(as_text=True)


def test_codes_are_forgiving_about_case_and_spaces(client, public_case):
    code = public_case()
    response = client.post("/track", data={"tracking_code": code.lower(), "query_code": " acdef 34679 "})
    assert response.status_code == 303


def test_the_grant_lasts_thirty_minutes(client, public_case, looked_up):
    code = public_case()
    before = dt.datetime.now(dt.UTC).timestamp()
    looked_up(code)
    with client.session_transaction() as session:
        until, fingerprint = session["tracked"][code]
    assert before + 29 * 60 < until <= dt.datetime.now(dt.UTC).timestamp() + 30 * 60
    assert "办理过程" in client.get(f"/track/{code}").get_data(as_text=True)
    with client.session_transaction() as session:
        session["tracked"] = {code: [dt.datetime.now(dt.UTC).timestamp() - 1, fingerprint]}
    assert "办理过程" not in client.get(f"/track/{code}").get_data(as_text=True)


def test_the_qr_address_opens_the_form_with_the_tracking_code_filled_in(client, public_case):
    code = public_case()
    html = client.get(f"/track/{code}").get_data(as_text=True)
    assert f'value="{code}"' in html and "办理过程" not in html


def test_progress_shows_the_signed_reply_and_its_signer(client, public_case, looked_up):
    code = public_case(Status.REPLIED)
    looked_up(code)
    html = client.get(f"/track/{code}").get_data(as_text=True)
    assert "处理意见书" in html and "经调查，责令物业公司限期修复电梯。" in html and "《物业管理条例》" in html
    assert "刘局长" in html or "（署名）" in html
    assert "申请复查" in html and "满意度评价" in html


def test_progress_never_shows_identity_or_internal_notes(client, public_case, looked_up, seed):
    code = public_case(
        Status.IN_PROGRESS, petitioner_name="欧阳娜娜", phone="13912345678", id_number="110101199001011237"
    )

    def instruct(world):
        from portal.cases import services
        from tests.public.conftest import case_by_code

        services.add_instruction(case_by_code(code), world.leader, text="内部批示：请从严核查")

    seed(instruct)
    looked_up(code)
    html = client.get(f"/track/{code}").get_data(as_text=True)
    assert "欧阳**" in html
    for secret in ("欧阳娜娜", "13912345678", "110101199001011237", "城关镇幸福路1号", "内部批示"):
        assert secret not in html


@pytest.mark.parametrize("kwargs", [{"case_type": CaseType.ACCUSATION}, {"confidential": True}])
def test_accusation_and_confidential_cases_show_only_their_stage(client, public_case, looked_up, kwargs):
    code = public_case(Status.REPLIED, **kwargs)
    looked_up(code)
    html = client.get(f"/track/{code}").get_data(as_text=True)
    assert "只显示办理阶段" in html and "已答复" in html
    assert "小区电梯长期停运" not in html and "经调查" not in html and "办理过程" not in html


def test_evaluation_once_and_unsatisfied_puts_the_case_under_supervision(app, client, public_case, looked_up):
    code = public_case(Status.REPLIED)
    looked_up(code)
    url = f"/track/{code}/evaluate"
    response = client.post(url, data={"acceptance": "satisfied", "handling": "unsatisfied", "comment": "物业仍未修"})
    assert response.status_code == 303
    html = client.get(f"/track/{code}").get_data(as_text=True)
    assert "您的评价" in html and "不满意" in html and "提交评价" not in html
    again = client.post(url, data={"acceptance": "satisfied", "handling": "satisfied"})
    assert again.status_code == 422 and "已评价过" in again.get_data(as_text=True)
    with app.app_context():
        from tests.public.conftest import case_by_code

        case = case_by_code(code)
        assert case.supervised and case.evaluation.handling.value == "unsatisfied"


def test_evaluation_needs_both_ratings(client, public_case, looked_up):
    code = public_case(Status.REPLIED)
    looked_up(code)
    response = client.post(f"/track/{code}/evaluate", data={"acceptance": "satisfied"})
    assert response.status_code == 422 and "请评价责任单位的办理工作" in response.get_data(as_text=True)


def test_evaluation_with_htmx_returns_the_fragment(client, public_case, looked_up):
    code = public_case(Status.REPLIED)
    looked_up(code)
    response = client.post(
        f"/track/{code}/evaluate",
        data={"acceptance": "satisfied", "handling": "basically"},
        headers={"HX-Request": "true", "HX-Target": "progress"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<div id="progress">')
    assert "感谢您的评价" in html and "<html" not in html


def test_review_request_starts_the_review_clock(app, client, public_case, looked_up):
    code = public_case(Status.REPLIED)
    looked_up(code)
    response = client.post(f"/track/{code}/review", data={"reason": "处理意见未解决问题"})
    assert response.status_code == 303
    html = client.get(f"/track/{code}").get_data(as_text=True)
    assert "复查中" in html and "复查意见期限" in html and "复查申请" in html
    again = client.post(f"/track/{code}/review", data={"reason": "再次申请"})
    assert again.status_code == 422 and "不能重复申请" in again.get_data(as_text=True)


def test_review_after_the_window_is_refused_and_changes_nothing(app, client, public_case, looked_up):
    code = public_case(Status.REPLIED, on=dt.date(2026, 9, 1))
    looked_up(code)
    html = client.get(f"/track/{code}").get_data(as_text=True)
    assert "期限已于" in html and "申请复查</button>" not in html
    response = client.post(f"/track/{code}/review", data={"reason": "逾期申请"})
    assert response.status_code == 422 and "期限已于" in response.get_data(as_text=True)
    with app.app_context():
        from tests.public.conftest import case_by_code

        assert case_by_code(code).status is Status.REPLIED


def test_after_final_no_more_review(client, public_case, looked_up):
    code = public_case(Status.FINAL)
    looked_up(code)
    response = client.post(f"/track/{code}/review", data={"reason": "还要申请"})
    assert response.status_code == 422 and "终结意见" in response.get_data(as_text=True)


def test_actions_need_a_lookup_first(client, public_case):
    code = public_case(Status.REPLIED)
    assert client.post(f"/track/{code}/review", data={"reason": "x"}).status_code == 403
    assert (
        client.post(f"/track/{code}/evaluate", data={"acceptance": "satisfied", "handling": "satisfied"}).status_code
        == 403
    )
