"""Case search (portal.cases.search): by petitioner name prefix, phone or ID number as a clerk types them, tracking
code and title words; scoped like every case list; audited for phone and ID number; served by indexes (EXPLAIN)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from portal import create_app
from portal.audit.models import AuditLog
from portal.cases import search
from portal.cases.models import Case, Status
from portal.cases.search import CaseTerm, Kind, classify
from portal.errors import DomainError
from portal.extensions import db
from portal.validation import id_check_digit
from tests import factories
from tests.conftest import BASE_CONFIG
from tests.factories import make_case, register
from tests.plans import query_plan
from tests.test_migrations import fresh_postgres_database  # noqa: F401  (a fixture: a database of its own)

PHONE = "13800138000"


def valid_id(first16: str = "4301021990010112", check: str | None = None) -> str:
    """An ID number with a correct check digit; ``check="X"`` searches the sequence digit that gives an X."""
    for last in "0123456789":
        first17 = first16 + last
        if check is None or id_check_digit(first17) == check:
            return first17 + id_check_digit(first17)
    raise AssertionError("no sequence digit gives that check digit")


ID_WITH_X = valid_id(check="X")


def codes(user, text: str, **kwargs) -> list[str]:
    return [c.tracking_code for c in search.search(user, classify(text), **kwargs).items]


# --- reading what the clerk typed ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed, kind, value",
    [
        ("13800138000", Kind.PHONE, PHONE),
        ("138 0013 8000", Kind.PHONE, PHONE),
        ("+86 13800138000", Kind.PHONE, PHONE),
        ("138-0013-8000", Kind.PHONE, PHONE),
        ("0086 138 0013 8000", Kind.PHONE, PHONE),
        ("１３８００１３８０００", Kind.PHONE, PHONE),  # full-width digits of a Chinese input method
        ("0731-12345678", Kind.PHONE, "073112345678"),
        ("(0731) 1234 5678", Kind.PHONE, "073112345678"),
        (ID_WITH_X.lower(), Kind.ID_NUMBER, ID_WITH_X),
        (f"{ID_WITH_X[:6]} {ID_WITH_X[6:14]} {ID_WITH_X[14:].lower()}", Kind.ID_NUMBER, ID_WITH_X),
        ("xf20261122-7k3q9m", Kind.TRACKING_CODE, "XF20261122-7K3Q9M"),
        ("XF20261122 7K3QOM", Kind.TRACKING_CODE, "XF20261122-7K3Q0M"),  # O read as zero, as on the lookup page
        ("张", Kind.NAME, "张"),
        ("欧阳", Kind.NAME_OR_TITLE, "欧阳"),
        ("阿依古丽·买买提", Kind.NAME_OR_TITLE, "阿依古丽·买买提"),
        ("电梯  停运", Kind.TITLE, "电梯 停运"),
        ("1380013", Kind.INCOMPLETE, "1380013"),
    ],
)
def test_what_the_clerk_typed_is_read_as_the_right_kind_of_term(typed, kind, value):
    term = classify(typed)
    assert (term.kind, term.value) == (kind, value)


def test_an_empty_box_is_no_search():
    assert classify("") is None
    assert classify("   ") is None
    assert classify(None) is None


@pytest.mark.parametrize(
    "typed, message",
    [
        ("长" * 51, "不能超过50个字"),
        ("长" * 5000, "不能超过50个字"),
        ("电梯\x00停运", "控制字符"),
        ("\x07", "控制字符"),
        ("%", "至少输入两个"),
        ("_", "至少输入两个"),
    ],
)
def test_text_no_search_could_mean_is_refused_with_a_reason(typed, message):
    with pytest.raises(DomainError, match=message):
        classify(typed)


def test_the_masked_number_in_the_audit_trail_keeps_only_its_ends():
    assert classify(PHONE).masked == "138****8000"
    assert classify(ID_WITH_X).masked == ID_WITH_X[:3] + "*" * 11 + ID_WITH_X[-4:]


# --- what is found ---------------------------------------------------------------------------------------------
def test_a_name_prefix_finds_the_petitioners_whose_names_start_with_it(world):
    zhang_san = register(world, petitioner_name="张三", title="小区电梯长期停运")[0].tracking_code
    zhang_sanfeng = register(world, petitioner_name="张三丰", title="道路积水")[0].tracking_code
    register(world, petitioner_name="张四", title="路灯不亮")
    register(world, petitioner_name="李张三", title="噪音扰民")
    db.session.commit()

    assert sorted(codes(world.clerk, "张三")) == sorted([zhang_san, zhang_sanfeng])
    assert len(codes(world.clerk, "张")) == 3


def test_a_compound_surname_is_a_prefix_like_any_other(world):
    ouyang = register(world, petitioner_name="欧阳娜娜", title="拖欠工资")[0].tracking_code
    register(world, petitioner_name="欧文", title="拖欠工资")
    register(world, petitioner_name="阳光", title="拖欠工资")
    db.session.commit()

    assert codes(world.clerk, "欧阳") == [ouyang]
    assert codes(world.clerk, "欧阳娜娜") == [ouyang]
    assert len(codes(world.clerk, "欧")) == 2


def test_a_petitioners_cases_come_newest_first(world):
    today = dt.date.today()
    made = [
        register(world, petitioner_name="王五", phone=PHONE, received_on=today - dt.timedelta(days=days))[0]
        for days in (20, 2, 9)
    ]
    db.session.commit()

    newest_first = [made[1].tracking_code, made[2].tracking_code, made[0].tracking_code]
    assert codes(world.clerk, "王五") == newest_first
    assert codes(world.clerk, PHONE) == newest_first


@pytest.mark.parametrize(
    "typed", ["13800138000", "138 0013 8000", "+86 13800138000", "138-0013-8000", "+86-138-0013-8000"]
)
def test_a_phone_is_found_however_the_clerk_types_it(world, typed):
    code = register(world, phone=PHONE)[0].tracking_code
    register(world, phone="13900139000")
    db.session.commit()

    assert codes(world.clerk, typed) == [code]


@pytest.mark.parametrize("stored", ["0731-12345678", "073112345678"])
@pytest.mark.parametrize("typed", ["0731-12345678", "073112345678", "(0731) 1234 5678"])
def test_a_landline_is_found_with_or_without_the_hyphen_it_was_stored_with(world, stored, typed):
    code = register(world, phone=stored)[0].tracking_code
    db.session.commit()

    assert codes(world.clerk, typed) == [code]


def test_an_id_number_is_found_with_a_lowercase_x(world):
    code = register(world, id_number=ID_WITH_X)[0].tracking_code
    register(world, id_number=valid_id("4301021985050512"))
    db.session.commit()

    assert codes(world.clerk, ID_WITH_X.lower()) == [code]
    assert codes(world.clerk, ID_WITH_X) == [code]


def test_a_phone_or_id_number_search_never_matches_part_of_a_number(world):
    register(world, phone=PHONE, id_number=ID_WITH_X)
    db.session.commit()

    assert codes(world.clerk, PHONE[:9]) == []
    assert codes(world.clerk, ID_WITH_X[:17]) == []


def test_a_tracking_code_is_found_whole_or_by_its_six_characters(world):
    case = register(world)[0]
    register(world)
    db.session.commit()
    code = case.tracking_code

    assert codes(world.clerk, code.lower()) == [code]
    assert codes(world.clerk, code.replace("-", " ")) == [code]
    assert codes(world.clerk, code[-6:].lower()) == [code]


def test_a_two_character_word_finds_the_titles_that_hold_it(world):
    lift = register(world, title="小区电梯长期停运")[0].tracking_code
    register(world, title="道路积水严重")
    db.session.commit()

    assert codes(world.clerk, "电梯") == [lift]
    assert codes(world.clerk, "长期停运") == [lift]
    assert codes(world.clerk, "电梯 停运") == [lift]
    assert codes(world.clerk, "积水 电梯") == []


def test_a_common_word_pages_exactly_as_sorting_every_match_would(world):
    """A single two-character word is read newest first from the term index and cut at the page's reach; its pages
    are the same as sorting every visible match (received, then id), for a clerk, for a handler who sees one
    department's cases, and with a status filter checked on the way."""
    today = dt.date.today()
    per_page = 4
    made = []
    for i in range(11):
        department = world.housing if i % 3 else world.labour
        made.append(
            make_case(
                world,
                Status.ASSIGNED if i % 2 else Status.REGISTERED,
                department=department,
                title=f"拖欠工资{i}号",
                received_on=today - dt.timedelta(days=(i * 7) % 5),  # several on one day: the id decides
                commit=False,
            )
        )
    register(world, title="小区电梯长期停运")
    db.session.commit()

    def expected(user, *conditions):
        found = [c for c in made if c.can_view(user) and all(condition(c) for condition in conditions)]
        return [c.tracking_code for c in sorted(found, key=lambda c: (c.received_on, c.id), reverse=True)]

    def paged(user, where=()):
        got, page = [], 1
        while True:
            result = search.search(user, classify("工资"), page=page, per_page=per_page, where=where)
            got += [c.tracking_code for c in result.items]
            if not result.has_next:
                return got
            page += 1

    assigned = Case.status == Status.ASSIGNED
    assert paged(world.clerk) == expected(world.clerk) and len(expected(world.clerk)) == 11
    assert paged(world.handler) == expected(world.handler) and 0 < len(expected(world.handler)) < 11
    assert paged(world.clerk, [assigned]) == expected(world.clerk, lambda c: c.status is Status.ASSIGNED)
    assert codes(world.clerk, "工资", page=2, per_page=per_page) == expected(world.clerk)[per_page : 2 * per_page]


def test_a_longer_word_must_stand_in_the_title_as_typed_not_just_its_bigrams(world):
    code = register(world, title="电梯停运，停电梯")[0].tracking_code
    db.session.commit()

    assert codes(world.clerk, "停电梯") == [code]
    assert codes(world.clerk, "停电梯停") == []  # 停电, 电梯, 梯停 are all in the title, but not in a row


def test_a_new_title_is_searched_by_its_new_words(world):
    case = register(world, title="小区电梯长期停运")[0]
    db.session.commit()

    case.title = "道路积水严重"
    db.session.commit()

    assert codes(world.clerk, "电梯") == []
    assert codes(world.clerk, "积水") == [case.tracking_code]
    assert set(db.session.execute(sa.select(CaseTerm.term).filter_by(case_id=case.id)).scalars()) == (
        search.case_terms("道路积水严重", case.tracking_code)
    )


def test_one_character_searches_only_the_beginning_of_names(world):
    register(world, petitioner_name="李四", title="张贴广告扰民")
    db.session.commit()

    term = classify("张")
    assert search.search(world.clerk, term).items == []
    assert "仅按信访人姓名的第一个字查找" in term.notice


def test_like_wildcards_are_searched_for_literally(world):
    code = register(world, title="百分之百满意")[0].tracking_code
    db.session.commit()

    assert codes(world.clerk, "百分") == [code]
    assert codes(world.clerk, "百分%") == []
    assert codes(world.clerk, "百_") == []
    assert codes(world.clerk, "__") == []
    with pytest.raises(DomainError):
        classify("%%")


# --- scope -----------------------------------------------------------------------------------------------------
def test_a_handler_finds_only_the_cases_of_their_department(world):
    housing = make_case(world, Status.ASSIGNED, department=world.housing, petitioner_name="赵六", phone=PHONE)
    labour = make_case(world, Status.ASSIGNED, department=world.labour, title="电梯噪音", petitioner_name="赵六")

    assert codes(world.handler, "赵六") == [housing.tracking_code]
    assert codes(world.handler, "电梯") == [housing.tracking_code]
    assert codes(world.other_handler, PHONE) == []
    assert codes(world.other_handler, housing.tracking_code) == []
    assert sorted(codes(world.clerk, "电梯")) == sorted([housing.tracking_code, labour.tracking_code])


def test_a_handler_of_another_department_finds_nothing(world):
    case = make_case(world, Status.ASSIGNED, department=world.housing, phone=PHONE, id_number=ID_WITH_X)

    for typed in ("张三", PHONE, ID_WITH_X, case.tracking_code, "电梯"):
        assert codes(world.other_handler, typed) == [], typed
        assert codes(world.other_dept_head, typed) == [], typed


def test_a_confidential_petitioner_is_found_by_the_office_but_by_others_only_through_the_title(world):
    case = make_case(world, Status.ASSIGNED, department=world.housing, phone=PHONE, confidential=True)

    for typed in ("张三", PHONE):
        assert codes(world.clerk, typed) == [case.tracking_code]
        assert codes(world.handler, typed) == []
    assert codes(world.handler, "电梯") == [case.tracking_code]


# --- audit -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed, kind", [("138 0013 8000", "phone"), (ID_WITH_X.lower(), "id_number")])
def test_a_search_by_phone_or_id_number_leaves_a_masked_audit_row(world, typed, kind):
    register(world, phone=PHONE, id_number=ID_WITH_X)
    db.session.commit()

    search.search(world.clerk, classify(typed))
    db.session.commit()

    row = db.session.execute(sa.select(AuditLog).filter_by(action="case.search")).scalar_one()
    assert row.actor_id == world.clerk.id
    assert row.detail["kind"] == kind
    assert row.detail["found"] == 1
    assert "****" in row.detail["term"]
    assert PHONE not in str(row.detail) and ID_WITH_X not in str(row.detail)


def test_a_search_by_name_or_title_leaves_no_audit_row(world):
    register(world)
    db.session.commit()

    search.search(world.clerk, classify("张三"))
    search.search(world.clerk, classify("电梯"))

    assert db.session.execute(sa.select(AuditLog).filter_by(action="case.search")).first() is None


# --- pages -----------------------------------------------------------------------------------------------------
def test_the_staff_header_has_a_case_search_box(client, login):
    login("handler")

    html = client.get("/staff/work/").get_data(as_text=True)

    form = re.search(
        r'<form method="get" action="/staff/cases/" class="header-search" role="search">.*?</form>', html, re.S
    )
    assert form, "no search box in the staff header"
    assert 'name="q"' in form[0] and "姓名、电话、身份证号或编号" in form[0]
    assert html.count('id="header-q"') == 1


@pytest.mark.parametrize("key", ["admin", "auditor"])
def test_users_who_do_not_work_cases_get_no_search_box(client, login, key):
    login(key)
    page = client.get("/staff/audit/" if key == "auditor" else "/staff/calendar")

    assert page.status_code == 200
    assert "header-search" not in page.get_data(as_text=True)


def test_the_public_pages_have_no_search_box(client):
    assert "header-search" not in client.get("/").get_data(as_text=True)


def test_the_header_box_leads_to_the_petitioners_cases(client, login, seed):
    code = seed(lambda world: register(world, petitioner_name="钱七", phone=PHONE)[0].tracking_code)
    login("clerk")

    response = client.get("/staff/cases/", query_string={"q": "+86 138-0013-8000"})

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert code in html and "钱七" in html
    assert "按信访人电话查找" in html


def test_an_htmx_search_returns_the_table_fragment(client, login, seed):
    code = seed(lambda world: register(world, petitioner_name="孙八")[0].tracking_code)
    login("clerk")

    response = client.get("/staff/cases/?q=孙八", headers={"HX-Request": "true", "HX-Target": "case-table"})

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert code in html
    assert "<html" not in html and "header-search" not in html
    assert {"HX-Request", "HX-Target"} <= set(response.headers.get("Vary", "").replace(" ", "").split(","))


def test_a_confidential_petitioner_is_masked_in_the_results(client, login, seed):
    def confidential(world):
        return make_case(world, Status.ASSIGNED, department=world.housing, petitioner_name="周九", confidential=True)

    code = seed(lambda world: confidential(world).tracking_code)
    login("handler")

    html = client.get("/staff/cases/?q=电梯").get_data(as_text=True)

    assert code in html
    assert "周九" not in html and "周*" in html and "身份保密" in html


@pytest.mark.parametrize(
    "q, status",
    [
        ("长" * 60, 422),
        ("电梯\x00", 422),
        ("\x1b[31m", 422),
        ("%", 422),
        ("_", 422),
        ("%%", 422),
        ("__", 200),
        ("' or 1=1 --", 200),
        ("1380013", 200),
        (b"%ED%A0%80", 200),  # a lone surrogate is not UTF-8: werkzeug keeps the escapes as text
        (b"%FF%FE%E7%94%B5%E6%A2%AF", 200),  # broken bytes before 电梯
    ],
)
def test_garbage_in_the_box_gets_a_message_never_a_500(client, login, seed, q, status):
    seed(lambda world: register(world))
    login("clerk")
    url = "/staff/cases/?q=" + (q.decode() if isinstance(q, bytes) else quote(q))

    full = client.get(url)
    fragment = client.get(url, headers={"HX-Request": "true", "HX-Target": "case-table"})

    assert full.status_code == fragment.status_code == status
    if status == 422:
        assert 'class="flash flash-error"' in fragment.get_data(as_text=True)
        assert 'id="q"' in full.get_data(as_text=True)  # the form is still there to correct it


@pytest.mark.parametrize("page", ["0", "-3", "abc", "99999999999999999999999"])
def test_a_garbage_page_number_is_no_500(client, login, seed, page):
    seed(lambda world: register(world))
    login("clerk")

    assert client.get("/staff/cases/", query_string={"q": "电梯", "page": page}).status_code == 200
    assert client.get("/staff/cases/", query_string={"page": page}).status_code == 200


def test_results_page_without_counting_them_all(client, login, seed):
    def many(world):
        return [
            register(world, petitioner_name="吴十", phone=PHONE)[0].tracking_code for _ in range(search.PER_PAGE + 1)
        ]

    made = seed(many)
    login("clerk")

    first = client.get("/staff/cases/?q=吴十").get_data(as_text=True)
    second = client.get("/staff/cases/?q=吴十&page=2").get_data(as_text=True)

    assert "下一页" in first and "上一页" not in first
    assert "上一页" in second and "下一页" not in second
    assert sum(code in second for code in made) == 1
    assert sum(code in first for code in made) == search.PER_PAGE


# --- served by indexes -----------------------------------------------------------------------------------------
# what the clerk types → an index the plan must use (SQLite, PostgreSQL)
INDEXED = {
    "name": ("张三", "ix_petitioners_name", "ix_petitioners_name"),
    "one character": ("张", "ix_petitioners_name", "ix_petitioners_name"),
    "phone": ("138 0013 8000", "ix_petitioners_phone_index", "ix_petitioners_phone_index"),
    "id number": (ID_WITH_X.lower(), "ix_petitioners_id_number_index", "ix_petitioners_id_number_index"),
    "tracking code": (None, "sqlite_autoindex_cases_1", "uq_cases_tracking_code"),
    "title word": ("电梯", "ix_case_terms_term_received", "ix_case_terms_term_received"),
    "title words": ("长期停运 小区", "ix_case_terms_term_received", "pk_case_terms"),
}


@pytest.mark.parametrize("what", sorted(INDEXED))
@pytest.mark.parametrize("who", ["clerk", "handler"])
def test_every_kind_of_search_is_served_by_an_index_not_a_scan_of_cases(world, what, who):
    case = make_case(world, Status.ASSIGNED, phone=PHONE, id_number=ID_WITH_X)
    for i in range(5):
        register(world, petitioner_name=f"李{i}", title=f"道路积水{i}")
    db.session.commit()
    typed, sqlite_index, postgres_index = INDEXED[what]

    stmt = search.statement(world.actor(who), classify(typed or case.tracking_code)).limit(search.PER_PAGE + 1)
    plan = query_plan(stmt)

    if db.session.connection().dialect.name == "sqlite":
        assert not re.search(r"\bSCAN (cases|petitioners|case_terms)\b", plan), plan
        assert sqlite_index in plan, plan
        assert "ix_cases_petitioner_id" in plan or what.startswith(("tracking", "title")), plan
    else:
        assert "Seq Scan" not in plan, plan
        assert postgres_index in plan, plan
        # Not a walk through every case in date order that filters as it goes.
        assert "ix_cases_received_on" not in plan, plan
    assert search.search(world.actor(who), classify(typed or case.tracking_code)).items == [case]


def test_the_name_column_compares_by_code_point_on_postgresql(world):
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        pytest.skip("SQLite compares text by code point (BINARY) already")
    collation = connection.exec_driver_sql(
        "SELECT collation_name FROM information_schema.columns "
        "WHERE table_name = 'petitioners' AND column_name = 'name'"
    ).scalar()
    assert collation == "C"


# --- the migration ---------------------------------------------------------------------------------------------
def backfill_matches_the_listener(url: str) -> None:
    """Terms written by the listener for new cases equal those the migration backfills for existing ones."""
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        try:
            upgrade()
            world = factories.build_world()
            for days, title in enumerate(("小区电梯长期停运", "ＡＢ栋电梯：停运！", "拖欠 工资")):
                register(world, title=title, received_on=dt.date.today() - dt.timedelta(days=days))
            db.session.commit()
            written = set(db.session.execute(sa.select(CaseTerm.term, CaseTerm.case_id, CaseTerm.received_on)).all())
            db.session.remove()  # its open transaction would hold a lock that DROP TABLE waits for

            downgrade(revision="75350afd0c1e")
            assert "case_terms" not in sa.inspect(db.engine).get_table_names()
            upgrade()

            assert (
                set(db.session.execute(sa.select(CaseTerm.term, CaseTerm.case_id, CaseTerm.received_on)).all())
                == written
            )
            db.session.remove()
            assert len({case_id for _, case_id, _ in written}) == 3
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect() as connection:
                    collation = connection.exec_driver_sql(
                        "SELECT collation_name FROM information_schema.columns "
                        "WHERE table_name = 'petitioners' AND column_name = 'name'"
                    ).scalar()
                assert collation == "C"
            downgrade(revision="base")
        finally:
            db.session.remove()
            db.engine.dispose()


def test_sqlite_migration_backfills_the_terms_the_listener_writes(tmp_path):
    backfill_matches_the_listener(f"sqlite:///{tmp_path / 'search.sqlite3'}")


@pytest.mark.postgres
def test_postgres_migration_backfills_the_terms_the_listener_writes(fresh_postgres_database):  # noqa: F811
    backfill_matches_the_listener(fresh_postgres_database)
