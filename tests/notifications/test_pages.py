"""The notice pages: the clerk's outbox and a case's notices (退订, resend, a printed 查询码告知单), the registration
receipt when the code went by SMS, the petitioner's 退订 on the progress page, the administrator's texts."""

from __future__ import annotations

import re

import pytest

from portal.audit.models import AuditLog
from portal.cases import codes
from portal.cases.models import Case
from portal.extensions import db
from portal.localtime import today
from portal.masking import mask_query_code
from portal.notifications.models import MessageText, SmsOptOut
from portal.sms.models import SmsMessage, SmsState
from tests.factories import register

PHONE = "13912345678"


def _case(world, **kwargs):
    case, code = register(world, phone=PHONE, **kwargs)
    return case.id, case.tracking_code, code


def _audit(app, action):
    with app.app_context():
        return db.session.execute(db.select(AuditLog).filter_by(action=action)).scalars().all()


def test_the_outbox_shows_each_message_masked_with_its_state(app, client, as_clerk, seed):
    _, tracking_code, code = seed(lambda w: _case(w, query_code_by="sms"))
    html = client.get("/staff/notices/").get_data(as_text=True)
    assert tracking_code in html and "139****5678" in html and PHONE not in html
    assert mask_query_code(code) in html and code not in html
    assert "已发送" in html  # inline jobs: sent after the request that queued it (here: the seed's commit)
    assert _audit(app, "notice.outbox_view")


def test_only_the_petition_office_sees_the_outbox(client, login):
    login("handler")
    assert client.get("/staff/notices/").status_code == 403


@pytest.mark.parametrize("role", ["handler", "admin", "leader", "auditor"])
def test_a_cases_notices_are_the_petition_offices(client, login, seed, role):
    case_id, *_ = seed(_case)
    login(role)
    assert client.get(f"/staff/notices/cases/{case_id}").status_code == 403
    assert client.post(f"/staff/notices/cases/{case_id}/opt-out").status_code == 403
    assert (
        client.post(f"/staff/notices/cases/{case_id}/query-code", data={"identity_check": "id_card"}).status_code == 403
    )


def test_a_clerk_resends_a_failed_message_from_the_page(app, client, as_clerk, seed):
    case_id, *_ = seed(_case)
    with app.app_context():
        message = db.session.execute(db.select(SmsMessage).filter_by(case_id=case_id)).scalar_one()
        message.state, message_id = SmsState.FAILED, message.id
        db.session.commit()
    response = client.post(f"/staff/notices/{message_id}/resend", data={"back": "case"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/staff/notices/cases/{case_id}")
    with app.app_context():
        again = db.session.execute(db.select(SmsMessage).filter_by(resent_from_id=message_id)).scalar_one()
        assert again.state is SmsState.SENT  # the inline job ran after the request
    assert _audit(app, "notice.resend")


def test_a_clerk_opts_a_petitioner_out_and_in_on_request(app, client, as_clerk, seed):
    case_id, *_ = seed(_case)
    assert "退订短信通知" in client.get(f"/staff/notices/cases/{case_id}").get_data(as_text=True)
    assert client.post(f"/staff/notices/cases/{case_id}/opt-out").status_code == 303
    html = client.get(f"/staff/notices/cases/{case_id}").get_data(as_text=True)
    assert "恢复短信通知" in html
    assert client.post(f"/staff/notices/cases/{case_id}/opt-in").status_code == 303
    with app.app_context():
        assert db.session.get(SmsOptOut, case_id) is None


def test_the_printed_slip_shows_the_new_code_once_and_ends_the_old_codes_lookups(app, client, seed, login):
    case_id, tracking_code, old = seed(_case)
    petitioner = app.test_client()
    assert petitioner.post("/track", data={"tracking_code": tracking_code, "query_code": old}).status_code == 303
    assert "办理过程" in petitioner.get(f"/track/{tracking_code}").get_data(as_text=True)

    login("clerk")
    response = client.post(
        f"/staff/notices/cases/{case_id}/query-code",
        data={"identity_check": "id_card", "note": "核对身份证原件", "delivery": "slip"},
    )
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    new = re.search(r"新查询码</dt><dd class=\"mono big\">([0-9A-Z]+)<", html).group(1)
    assert "查询码告知单" in html and tracking_code in html and "原查询码自即日起作废" in html
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert codes.check_query_code(case.query_code_hash, new)
    # The browser that looked the case up with the old code sees it no longer; the old code is refused.
    assert "办理过程" not in petitioner.get(f"/track/{tracking_code}").get_data(as_text=True)
    assert petitioner.post("/track", data={"tracking_code": tracking_code, "query_code": old}).status_code == 422
    assert petitioner.post("/track", data={"tracking_code": tracking_code, "query_code": new}).status_code == 303


def test_a_reissue_without_an_identity_check_is_refused_and_changes_nothing(app, client, as_clerk, seed):
    case_id, _, old = seed(_case)
    response = client.post(f"/staff/notices/cases/{case_id}/query-code", data={"note": "", "delivery": "slip"})
    assert response.status_code == 422 and "请选择核实信访人身份的方式" in response.get_data(as_text=True)
    with app.app_context():
        assert codes.check_query_code(db.session.get(Case, case_id).query_code_hash, old)


def test_the_receipt_shows_the_code_masked_when_it_went_by_sms(app, client, as_clerk):
    data = {
        "channel": "phone",
        "received_on": today().isoformat(),
        "petitioner_name": "钱八",
        "phone": PHONE,
        "case_type": "claim",
        "category_id": "0",
        "title": "拖欠工资未发放",
        "content": "工地拖欠工资半年。",
        "people_count": "1",
        "procedure": "normal",
        "repeat_of_id": "0",
        "query_code_by": "sms",
    }
    response = client.post("/staff/cases/new", data=data)
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    assert "已通过短信发送至 139****5678" in html and "查询码已另行告知" in html
    masked = re.search(r"查询码</dt><dd class=\"mono big\">([0-9A-Z*]+)", html).group(1)
    assert "******" in masked
    with app.app_context():
        (message,) = db.session.execute(db.select(SmsMessage)).scalars().all()
        assert message.kind == "register_code" and masked in message.text


def test_the_petitioner_opts_out_and_in_on_the_progress_page(app, client, seed):
    case_id, tracking_code, code = seed(_case)
    assert client.post("/track", data={"tracking_code": tracking_code, "query_code": code}).status_code == 303
    assert "退订短信通知" in client.get(f"/track/{tracking_code}").get_data(as_text=True)
    response = client.post(f"/track/{tracking_code}/sms", data={"sms": "off"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "恢复短信通知" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(SmsOptOut, case_id) is not None
    assert client.post(f"/track/{tracking_code}/sms", data={"sms": "on"}).status_code == 303
    with app.app_context():
        assert db.session.get(SmsOptOut, case_id) is None
    assert [r.actor_name for r in _audit(app, "notice.opt_out")] == ["公众"]
    # Without the lookup, nobody can opt a case out.
    assert app.test_client().post(f"/track/{tracking_code}/sms", data={"sms": "off"}).status_code == 403


def test_the_admin_edits_a_text_within_the_rules(app, client, as_admin):
    html = client.get("/staff/admin/messages").get_data(as_text=True)
    assert "受理告知" in html and "重新生成的查询码" in html
    response = client.post("/staff/admin/messages/accept", data={"text": "编号{编号}，查询码{查询码}"})
    assert response.status_code == 422 and "不能使用占位符 {查询码}" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(MessageText, "accept") is None
    response = client.post("/staff/admin/messages/accept", data={"text": "【{机关}】编号{编号}已受理。"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(MessageText, "accept").text == "【{机关}】编号{编号}已受理。"
    assert client.get("/staff/admin/messages/nothing").status_code == 404


@pytest.mark.parametrize("role", ["clerk", "auditor"])
def test_only_the_admin_edits_texts(client, login, role):
    login(role)
    assert client.get("/staff/admin/messages").status_code == 403
    assert client.post("/staff/admin/messages/accept", data={"text": "编号{编号}"}).status_code == 403


def _messages(app, case_id: int, n: int, state=SmsState.SENT) -> list[int]:
    with app.app_context():
        made = [SmsMessage(case_id=case_id, phone=PHONE, text=f"通知{i}", state=state) for i in range(n)]
        db.session.add_all(made)
        db.session.commit()
        return [m.id for m in made]


def test_the_outbox_pages_by_message_id_newest_first(app, client, as_clerk, seed):
    """Keyset paging (issue 18): 下一页 goes on from the oldest message shown, 上一页 back from the newest."""
    case_id, *_ = seed(_case)
    ids = _messages(app, case_id, 60)
    first = client.get("/staff/notices/").get_data(as_text=True)
    assert "通知59" in first and "通知10" in first and "通知9<" not in first
    older = re.search(r'href="([^"]*before=\d+[^"]*)">下一页', first).group(1).replace("&amp;", "&")
    second = client.get(older).get_data(as_text=True)
    assert "通知9<" in second and "通知0<" in second and "通知10<" not in second and "下一页" not in second
    newer = re.search(r'href="([^"]*after=\d+[^"]*)">上一页', second).group(1).replace("&amp;", "&")
    assert "通知59" in client.get(newer).get_data(as_text=True)
    assert client.get(f"/staff/notices/?before={ids[0]}").status_code == 200  # nothing older: an empty page
    assert client.get("/staff/notices/?before=x&after=-1").status_code == 200


def test_the_outbox_issues_the_same_queries_for_few_messages_and_many(app, client, as_clerk, seed):
    """Each row's resend button asks whether its case opted out: one query for the page, not one per message."""
    from sqlalchemy import event

    cases = [seed(_case)[0] for _ in range(3)]
    with app.app_context():
        db.session.add(SmsOptOut(case_id=cases[0]))
        db.session.commit()
        engine = db.engine

    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/staff/notices/").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len([s for s in seen if "staff_sessions" not in s])

    for case_id in cases:
        _messages(app, case_id, 2)
    client.get("/staff/notices/")
    few = statements()
    for case_id in cases:
        _messages(app, case_id, 10)
    html = client.get("/staff/notices/").get_data(as_text=True)
    assert "信访人已退订短信通知，不能重发。" in html
    assert statements() == few
