"""Fixtures for the public pages: a case with a query code the test knows, and a client that has looked it up."""

from __future__ import annotations

import pytest

from portal.cases import codes
from portal.cases.models import Case, Status
from portal.extensions import db
from tests.factories import make_case

QUERY_CODE = "ACDEF34679"


@pytest.fixture
def public_case(seed):
    """``public_case(status, **make_case_kwargs)`` → the tracking code of a case whose query code is QUERY_CODE."""

    def make(status: Status = Status.REGISTERED, **kwargs) -> str:
        def build(world):
            case = make_case(world, status, **kwargs)
            case.query_code_hash = codes.hash_query_code(QUERY_CODE)
            return case.tracking_code

        return seed(build)

    return make


@pytest.fixture
def looked_up(client):
    """``looked_up(tracking_code)``: the client enters both codes on /track, as a petitioner would."""

    def lookup(tracking_code: str, query_code: str = QUERY_CODE):
        response = client.post("/track", data={"tracking_code": tracking_code, "query_code": query_code})
        assert response.status_code == 303, response.get_data(as_text=True)
        return response

    return lookup


def case_by_code(code: str):
    return db.session.execute(db.select(Case).filter_by(tracking_code=code)).scalar_one()
