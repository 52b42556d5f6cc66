"""What other areas may hear from the case workflow without the workflow knowing them (areas depend downward only):
written notices and notifications subscribe here instead of being called from the case services.

``event_written`` is sent for every timeline event (``portal.cases.services.steps.event``), inside the service's
transaction and before it commits, with ``sender`` the case and the keyword arguments ``actor`` (a User or None for
the public) and ``event`` (the CaseEvent, added to the session but not yet flushed; ``event.action`` is the action's
name in ``portal.cases.lifecycle.ACTIONS`` or a logged action such as ``request_extension``) and ``notice`` (a dict
of what the step knows and stores nowhere: ``query_code`` and ``query_code_by`` when registration or a reissue made
a query code to be given by SMS). A receiver works in the
same transaction — what it writes commits or rolls back with the step — and must not commit.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

event_written = _signals.signal("case-event-written")
