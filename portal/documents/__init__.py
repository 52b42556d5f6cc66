"""Written notices (文书): the documents a decision must be put in writing in — numbered, frozen, printed as PDF,
delivered and receipted (送达回证). ``kinds`` is the registry; ``receivers`` issues them from the case workflow."""

from flask import Blueprint

bp = Blueprint("documents", __name__)


@bp.app_context_processor
def _documents_rule():
    """The case page asks the same rule as the document pages before it lists the documents."""
    from portal.documents.models import can_see_documents

    return {"can_see_documents": can_see_documents}


from portal.documents import receivers, views  # noqa: E402,F401
