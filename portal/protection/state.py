"""The keyring of the running app, built once from its settings and kept in ``app.extensions``."""

from __future__ import annotations

from flask import current_app

from portal.protection.keys import Keyring, keyring_from

_EXTENSION = "protection.keyring"


def keyring(app=None) -> Keyring:
    app = app or current_app
    ring = app.extensions.get(_EXTENSION)
    if ring is None:
        from portal.config import ROOT

        ring = app.extensions[_EXTENSION] = keyring_from(app.config, ROOT / "var")
    return ring


def reset(app=None) -> None:
    """Forget the keyring so the next use reads the settings again (after a test or the rotation changes them)."""
    (app or current_app).extensions.pop(_EXTENSION, None)
