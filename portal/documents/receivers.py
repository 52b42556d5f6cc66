"""Documents follow the case workflow without the workflow knowing them: each timeline event that records a decision
issues the documents of ``kinds`` that it stands for, in the decision's own transaction."""

from __future__ import annotations

from portal.cases.signals import event_written
from portal.documents import services
from portal.documents.kinds import issued_by


@event_written.connect
def issue_documents(case, *, actor, event, **_):
    for kind in issued_by(event.action, case, event):
        services.issue(case, kind.key, actor, event=event)
