"""Tracking codes (public) and query codes (secret, stored only as a hash)."""

import datetime as dt
import re

import pytest
from sqlalchemy import inspect

from portal.cases import codes
from portal.extensions import db
from portal.localtime import CST, as_of
from tests.factories import register

TRACKING = re.compile(r"^XF\d{8}-[0-9A-HJKMNP-TV-Z]{6}$")
AMBIGUOUS = set("0O1IL2Z5S8B")


def test_tracking_code_carries_the_registration_day_and_six_crockford_characters():
    code = codes.new_tracking_code(dt.date(2026, 11, 22))

    assert TRACKING.match(code)
    assert code.startswith("XF20261122-")


def test_tracking_codes_are_random():
    assert len({codes.new_tracking_code(dt.date(2026, 11, 22)) for _ in range(50)}) == 50


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("xf20261122-7k3q9m", "XF20261122-7K3Q9M"),
        (" XF20261122 - 7K3Q9M ", "XF20261122-7K3Q9M"),
        ("XF20261122-OIL000", "XF20261122-011000"),  # Crockford reads O as 0, I and L as 1
    ],
)
def test_tracking_code_is_normalised_as_people_type_it(typed, stored):
    assert codes.normalise_tracking_code(typed) == stored


def test_registered_case_gets_a_tracking_code_of_the_day_it_was_registered(world):
    with as_of(dt.datetime(2026, 11, 22, 7, 30, tzinfo=CST)):  # 23:30 the day before in UTC
        case, _ = register(world, received_on=dt.date(2026, 11, 20))

    assert TRACKING.match(case.tracking_code)
    assert case.tracking_code.startswith("XF20261122-")


def test_query_code_is_long_enough_and_uses_only_unambiguous_characters():
    assert not AMBIGUOUS & set(codes.QUERY_ALPHABET)
    for _ in range(50):
        code = codes.new_query_code()
        assert len(code) >= 8
        assert set(code) <= set(codes.QUERY_ALPHABET)
        assert not AMBIGUOUS & set(code)


def test_registration_returns_a_query_code_that_checks_against_the_stored_hash(world):
    case, query_code = register(world)

    assert len(query_code) >= 8 and set(query_code) <= set(codes.QUERY_ALPHABET)
    assert case.query_code_hash != query_code
    assert codes.check_query_code(case.query_code_hash, query_code)


def test_query_code_check_forgives_case_and_spaces(world):
    case, query_code = register(world)

    assert codes.check_query_code(case.query_code_hash, f" {query_code[:5].lower()} {query_code[5:]} ")


def test_wrong_query_code_is_rejected(world):
    case, query_code = register(world)
    _, other_code = register(world)
    wrong = "".join(
        codes.QUERY_ALPHABET[(codes.QUERY_ALPHABET.index(c) + 1) % len(codes.QUERY_ALPHABET)] for c in query_code
    )

    assert not codes.check_query_code(case.query_code_hash, wrong)
    assert not codes.check_query_code(case.query_code_hash, other_code)
    assert not codes.check_query_code(case.query_code_hash, "")
    assert not codes.check_query_code(case.query_code_hash, query_code[:-1])


def test_hash_uses_the_configured_method(world):
    case, _ = register(world)

    assert case.query_code_hash.startswith("pbkdf2:sha256:1000$")


def test_no_column_of_any_table_holds_the_plain_query_code(world):
    case, query_code = register(world)
    db.session.commit()

    found = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()).mappings():
            for column, value in row.items():
                if value is not None and query_code in str(value):
                    found.append(f"{table.name}.{column}")
    assert found == []
    assert "query_code" not in {c.key for c in inspect(type(case)).columns}
