"""Other areas hear of every timeline event through portal.cases.signals, inside the step's transaction."""

from __future__ import annotations

from portal.cases import services
from portal.cases.signals import event_written
from portal.extensions import db
from tests import factories


def test_every_timeline_event_is_sent_to_subscribers_inside_the_steps_transaction(world):
    heard = []

    def receiver(case, actor, event, notice):
        heard.append((case.tracking_code, getattr(actor, "username", None), event.action))
        assert "query_code" not in notice  # only a code given by SMS travels with the event

    with event_written.connected_to(receiver):
        case, _ = factories.register(world)
        services.accept(case, world.clerk)
        db.session.rollback()

    assert [action for _, _, action in heard] == ["register", "accept"]
    assert heard[1][1] == world.clerk.username
    assert db.session.get(type(case), case.id) is None  # nothing commits: the receiver saw an uncommitted step
