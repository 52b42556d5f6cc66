"""A township with two villages (one with a group) beside the World, its agents and screening cadres."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from portal.accounts.models import Role, User
from portal.cases.attachments import Upload
from portal.extensions import db
from portal.localtime import today as local_today
from portal.org.models import Department, Kind, Level
from tests import factories
from tests.administration.conftest import as_security_admin, security_admin  # noqa: F401 (fixtures for the import)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SCAN = Upload("承诺书.png", "image/png", PNG)


@dataclass
class Network:
    township: Department
    village: Department
    other_village: Department
    group: Department
    township_agent: User
    agent: User
    group_agent: User
    other_agent: User
    cadre: User
    township_cadre: User
    township_handler: User


def build_network(world) -> Network:
    township = factories.department("青石镇人民政府", Kind.LOCAL, Level.TOWNSHIP)
    village = factories.department("青石村村民委员会", Kind.LOCAL, Level.VILLAGE, township)
    other = factories.department("石桥村村民委员会", Kind.LOCAL, Level.VILLAGE, township)
    group = factories.department("青石村第三村民小组", Kind.LOCAL, Level.GROUP, village)
    return Network(
        township=township,
        village=village,
        other_village=other,
        group=group,
        township_agent=factories.user("qs_agent", Role.AGENT, department=township, name="镇代理"),
        agent=factories.user("agent", Role.AGENT, department=village, name="袁泽志"),
        group_agent=factories.user("group_agent", Role.AGENT, department=group, name="组代理"),
        other_agent=factories.user("other_agent", Role.AGENT, department=other, name="石代理"),
        cadre=factories.user("village", Role.SCREENING, department=village, name="村干部"),
        township_cadre=factories.user("qs_cadre", Role.SCREENING, department=township, name="镇干部"),
        township_handler=factories.user("qs_handler", Role.HANDLER, department=township, name="镇干事"),
    )


def load_network() -> Network:
    get = lambda model, **kw: db.session.execute(db.select(model).filter_by(**kw)).scalar_one()  # noqa: E731
    return Network(
        township=get(Department, name="青石镇人民政府"),
        village=get(Department, name="青石村村民委员会"),
        other_village=get(Department, name="石桥村村民委员会"),
        group=get(Department, name="青石村第三村民小组"),
        township_agent=get(User, username="qs_agent"),
        agent=get(User, username="agent"),
        group_agent=get(User, username="group_agent"),
        other_agent=get(User, username="other_agent"),
        cadre=get(User, username="village"),
        township_cadre=get(User, username="qs_cadre"),
        township_handler=get(User, username="qs_handler"),
    )


@pytest.fixture
def net(world) -> Network:
    network = build_network(world)
    db.session.commit()
    return network


@pytest.fixture
def net_pages(app, staff):
    """The network committed for page tests; returns the ids by name."""
    with app.app_context():
        network = build_network(factories.load_world())
        db.session.commit()
        return {k: v.id for k, v in vars(network).items()}


def matter_details(**overrides) -> dict:
    details = dict(
        name="曾庆腾",
        phone="13900001111",
        title="灌渠冬修后农田未回填",
        content="施工方在灌渠两旁农田遗留工程废料，部分农田挖土后未回填，影响春耕。",
        place="青石村下陈组",
        received_on=local_today(),
    )
    details.update(overrides)
    return details
