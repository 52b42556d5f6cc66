"""`flask keys rotate` reseals the documents' HTML and PDF under the new key; their text and hashes stay."""

from __future__ import annotations

import pytest

from portal.cases.lifecycle import Status
from portal.documents import services
from portal.documents.models import Document
from portal.extensions import db
from portal.protection.rotation import rotate
from tests import factories
from tests.conftest import BASE_CONFIG
from tests.test_encryption import KEY_A, KEY_B, KEY_C, KEY_D, other_app


@pytest.fixture
def app_config(database_url) -> dict:
    return {**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "DATA_KEY": KEY_A, "INDEX_KEY": KEY_B}


def test_rotation_reseals_the_documents_and_keeps_their_text_and_hashes(app, database_url):
    with app.app_context():
        case = factories.make_case(factories.build_world(), Status.ACCEPTED)
        doc = case.documents[0]
        pdf = services.pdf_bytes(doc)
        db.session.commit()
        html, hashes = services.html_text(doc), (doc.html_sha256, doc.pdf_sha256)

    rotating = other_app(database_url, DATA_KEY=KEY_C, DATA_KEYS_OLD=KEY_A, INDEX_KEY=KEY_D, INDEX_KEYS_OLD=KEY_B)
    try:
        with rotating.app_context():
            counts = rotate(db.session, db.metadata)
            db.session.commit()
            assert counts["document parts resealed"] == 2
            assert not rotate(db.session, db.metadata)["document parts resealed"]
            db.session.remove()
    finally:
        with rotating.app_context():
            db.engine.dispose()

    rotated = other_app(database_url, DATA_KEY=KEY_C, INDEX_KEY=KEY_D)
    try:
        with rotated.app_context():
            doc = db.session.execute(db.select(Document)).scalar_one()
            assert services.html_text(doc) == html and services.pdf_bytes(doc) == pdf
            assert (doc.html_sha256, doc.pdf_sha256) == hashes
            db.session.remove()
    finally:
        with rotated.app_context():
            db.engine.dispose()
