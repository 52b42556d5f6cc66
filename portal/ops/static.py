"""Static files: a content hash in every URL ``url_for('static', …)`` builds (``?v=<hash>``), a year's
Cache-Control for a URL that carries the current hash, and gzip for text assets.

Only static assets are compressed, never pages: an HTML page carries a CSRF token (and personal data) next to text a
request can reflect, and compressing both together lets an observer of the encrypted length guess the secret byte by
byte (BREACH). Static files hold no secrets, so compressing them is safe."""

from __future__ import annotations

import gzip
import hashlib
import time
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, request

YEAR = 365 * 24 * 3600
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
MIN_COMPRESS_BYTES = 512
# A page builds a dozen static URLs; each would resolve the path and stat the file. The hash found is reused for
# this long (a file edited while the server runs gets its new URL within a second).
RECHECK_SECONDS = 1.0
_FINGERPRINTS: dict[tuple[str, str], tuple[float, str | None]] = {}


def init_app(app: Flask) -> None:
    app.url_defaults(_fingerprint)
    app.after_request(_cache_and_compress)


def _file(filename: str) -> Path | None:
    folder = Path(current_app.static_folder).resolve()
    path = (folder / filename).resolve()
    if folder not in path.parents or not path.is_file():
        return None
    return path


@lru_cache(maxsize=1024)
def _digest(path: Path, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def fingerprint(filename: str) -> str | None:
    key = (current_app.static_folder or "", filename)
    now = time.monotonic()
    known = _FINGERPRINTS.get(key)
    if known is not None and now - known[0] < RECHECK_SECONDS:
        return known[1]
    if len(_FINGERPRINTS) > 1024:
        _FINGERPRINTS.clear()
    digest = _fingerprint_now(filename)
    _FINGERPRINTS[key] = (now, digest)
    return digest


def _fingerprint_now(filename: str) -> str | None:
    path = _file(filename)
    if path is None:
        return None
    stat = path.stat()
    return _digest(path, stat.st_mtime_ns, stat.st_size)


def _fingerprint(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values and "v" not in values:
        digest = fingerprint(values["filename"])
        if digest:
            values["v"] = digest


@lru_cache(maxsize=256)
def _gzipped(path: Path, mtime_ns: int, size: int) -> bytes:
    return gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)


def _cache_and_compress(response):
    if request.endpoint != "static" or response.status_code != 200:
        return response
    filename = (request.view_args or {}).get("filename", "")
    path = _file(filename)
    if path is None:
        return response
    stat = path.stat()
    if request.args.get("v") == _digest(path, stat.st_mtime_ns, stat.st_size):
        # The URL changes whenever the file does, so a browser may keep this one for a year without asking.
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
        response.cache_control.no_cache = None
    response.vary.add("Accept-Encoding")
    if (
        "gzip" in request.accept_encodings
        and response.mimetype.startswith(COMPRESSIBLE)
        and stat.st_size >= MIN_COMPRESS_BYTES
        and "Content-Range" not in response.headers
    ):
        body = _gzipped(path, stat.st_mtime_ns, stat.st_size)
        response.direct_passthrough = False
        response.set_data(body)
        response.headers["Content-Encoding"] = "gzip"
        response.headers.pop("Accept-Ranges", None)
        if response.headers.get("ETag"):  # a different representation needs a different validator
            etag, weak = response.get_etag()
            response.set_etag(f"{etag}-gz", weak=weak)
    return response
