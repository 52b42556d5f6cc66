"""What must be true before the production server starts (``flask preflight``, and gunicorn's ``on_starting``):
secrets from the environment, not the files ``make run`` generates into var/, and rate limits that count across
workers."""

from __future__ import annotations

import os
from collections.abc import Mapping

# Settings that must come from the environment in production: a generated file in var/ is per machine, readable by
# whoever copies the directory, and lost with it.
REQUIRED_SECRETS = ("SECRET_KEY", "DATA_KEY", "INDEX_KEY")


def problems(config: Mapping, workers: int, environ: Mapping | None = None) -> list[str]:
    """Every reason not to start, as sentences naming the setting to fix; empty when all is well."""
    environ = os.environ if environ is None else environ
    found = [
        f"{name} is not set in the environment (the value generated into var/ is for `make run` only)"
        for name in REQUIRED_SECRETS
        if not environ.get(name, "").strip()
    ]
    if config.get("SECRET_KEY") in {"dev", "change-me", "test-secret-key"}:
        found.append("SECRET_KEY is a well-known development value")
    storage = str(config.get("RATELIMIT_STORAGE_URI", "memory://"))
    if workers > 1 and config.get("RATELIMIT_ENABLED", True) and storage.startswith("memory://"):
        found.append(
            f"RATELIMIT_STORAGE_URI is memory:// with {workers} workers: every worker would count its own limits; "
            "set it to redis://… (or WEB_WORKERS=1)"
        )
    if workers < 1:
        found.append("WEB_WORKERS must be at least 1")
    return found
