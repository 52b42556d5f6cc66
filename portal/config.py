"""Settings read from the environment, with safe defaults for a local install."""

import os
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'portal.sqlite3'}")
    # Hosting platforms still hand out postgres:// URLs; SQLAlchemy wants the driver spelled out.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    # A local install keeps one generated key in var/ so that sessions survive a restart.
    from portal.protection.keys import generated_key

    return generated_key(ROOT / "var" / "secret_key")  # 0600 in a 0700 var/, whatever the umask


class Config:
    SECRET_KEY = None  # filled in by load()
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None  # a clerk's form may stay open all morning
    WTF_I18N_ENABLED = False  # portal.forms.Form uses WTForms' own Chinese messages
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "false").lower() == "true"
    # Staff sessions live on the server (portal.accounts.sessions); no remember cookie is ever set.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
    SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12"))
    # The browser session's contents: redis (server-side, shared by every instance) or cookie (signed); empty picks
    # redis when REDIS_URL is set (portal.browser_session).
    SESSION_STORE = os.environ.get("SESSION_STORE", "")
    # werkzeug hash method for petitioners' query codes (and, by default, staff passwords).
    QUERY_CODE_HASH_METHOD = os.environ.get("QUERY_CODE_HASH_METHOD", "scrypt")
    PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "scrypt")
    # Staff sign-in (等保 2.0 L3 身份鉴别): password expiry (0 = never), lockout after failures, throttle per address.
    PASSWORD_MAX_AGE_DAYS = int(os.environ.get("PASSWORD_MAX_AGE_DAYS", "90"))
    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
    LOGIN_FAILURE_WINDOW_MINUTES = int(os.environ.get("LOGIN_FAILURE_WINDOW_MINUTES", "15"))
    LOGIN_LOCK_MINUTES = int(os.environ.get("LOGIN_LOCK_MINUTES", "15"))
    LOGIN_LIMIT_PER_CLIENT = os.environ.get("LOGIN_LIMIT_PER_CLIENT", "20 per 10 minutes;100 per day")
    # Second factor for every staff account (the three administrators always): unset = on, except in test apps.
    MFA_REQUIRED_FOR_ALL_STAFF = os.environ.get("MFA_REQUIRED_FOR_ALL_STAFF")
    # Which registered second factor new enrolments use (portal.accounts.factors.REGISTRY).
    SECOND_FACTOR = os.environ.get("SECOND_FACTOR", "totp")
    CASES_PER_PAGE = 30
    # 干部管理权限 → the 纪检监察 organ (department name) receiving accusations against such officials (art.30).
    CADRE_ORGANS = os.environ.get("CADRE_ORGANS", "")
    # Petitioners' attachments live outside static/ and are served only to staff who may see the case.
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(ROOT / "var" / "uploads"))
    # Written notices: an office's licensed fonts (xiaobiaosong.ttf, fangsong.ttf, heiti.ttf, kaiti.ttf) go here;
    # without them Noto CJK from Debian stands in. The PDF is rendered by a job once the decision commits.
    DOCUMENT_FONT_DIR = os.environ.get("DOCUMENT_FONT_DIR", str(ROOT / "var" / "fonts"))
    DOCUMENT_PDF_AFTER_COMMIT = True
    MAX_ATTACHMENTS = 5
    MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
    MAX_CONTENT_LENGTH = 6 * 10 * 1024 * 1024  # five attachments and the form around them
    # Rate limits (Flask-Limiter): in memory unless RATELIMIT_STORAGE_URI names e.g. redis://127.0.0.1:6379/0.
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "true").lower() != "false"
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    SUBMIT_RATE_LIMIT = os.environ.get("SUBMIT_RATE_LIMIT", "5 per hour;20 per day")
    # Only failed lookups count: a petitioner who types the codes right is never throttled.
    LOOKUP_LIMIT_PER_CLIENT = os.environ.get("LOOKUP_LIMIT_PER_CLIENT", "10 per 10 minutes;50 per day")
    LOOKUP_LIMIT_PER_CODE = os.environ.get("LOOKUP_LIMIT_PER_CODE", "5 per 10 minutes;20 per day")
    # Every lookup from one client, successful ones too: each costs a deliberate hash (QUERY_CODE_HASH_METHOD), so
    # one valid pair must not keep the CPUs busy. Reloading the progress page is a GET under the grant and is free.
    LOOKUP_LIMIT_ALL_PER_CLIENT = os.environ.get("LOOKUP_LIMIT_ALL_PER_CLIENT", "30 per 10 minutes;200 per day")
    # Aggregates computed at most once per this many seconds (portal.caching); the page says when.
    STATS_CACHE_SECONDS = int(os.environ.get("STATS_CACHE_SECONDS", "300"))
    # How long a successful lookup keeps a case readable in the browser session.
    TRACK_GRANT_MINUTES = 30
    # The address printed in receipts' QR codes and other links that leave the portal; by default the request's host,
    # which is one of TRUSTED_HOSTS.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    # Host names the portal answers to (Flask answers any other Host header with 400), so a link or QR code built
    # on the request's host never carries a host an attacker sent. Default: localhost, 127.0.0.1 and the host of
    # PUBLIC_BASE_URL. None in load()'s overrides switches the check off.
    TRUSTED_HOSTS: ClassVar[list[str] | None] = [
        host.strip() for host in os.environ.get("TRUSTED_HOSTS", "").split(",") if host.strip()
    ]
    # Number of reverse proxies in front of the app whose X-Forwarded-For may be trusted (for rate limits).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # Import path of the SMS gateway adapter; the default writes messages to the log.
    SMS_SENDER = os.environ.get("SMS_SENDER", "portal.sms.services:LogSender")
    # The audit chain (portal.audit.chain): hash algorithm, the anchor file outside the database, retention, archives.
    AUDIT_HASH_ALGORITHM = os.environ.get("AUDIT_HASH_ALGORITHM", "sm3")
    AUDIT_ANCHOR_PATH = os.environ.get("AUDIT_ANCHOR_PATH", str(ROOT / "var" / "audit-anchor.jsonl"))
    AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "183"))
    AUDIT_ARCHIVE_DIR = os.environ.get("AUDIT_ARCHIVE_DIR", str(ROOT / "var" / "audit-archive"))
    AUDIT_ARCHIVE_KEY = os.environ.get("AUDIT_ARCHIVE_KEY", "")  # empty: a key generated once into var/
    # Personal data at rest (portal.protection): sm4 (SM4-GCM, HMAC-SM3) or aes; keys hex/base64, empty: var/ files.
    DATA_CIPHER = os.environ.get("DATA_CIPHER", "sm4")
    DATA_KEY = os.environ.get("DATA_KEY", "")
    DATA_KEYS_OLD = os.environ.get("DATA_KEYS_OLD", "")  # comma-separated, readable until `flask keys rotate`
    INDEX_KEY = os.environ.get("INDEX_KEY", "")
    INDEX_KEYS_OLD = os.environ.get("INDEX_KEYS_OLD", "")
    # Production (portal.ops, portal.jobs): Redis for the job queue (unset: jobs run inline), gunicorn, logs, backups.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    WEB_BIND = os.environ.get("WEB_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
    WEB_WORKERS = int(os.environ.get("WEB_WORKERS", "2"))
    WEB_THREADS = int(os.environ.get("WEB_THREADS", "4"))
    WEB_TIMEOUT = int(os.environ.get("WEB_TIMEOUT", "60"))
    FORWARDED_ALLOW_IPS = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # json: one JSON line per record, with the request id
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    SWEEP_CRON = os.environ.get("SWEEP_CRON", "0 23 * * *")  # UTC: 07:00 Beijing time
    SWEEP_DUE_SOON_DAYS = int(os.environ.get("SWEEP_DUE_SOON_DAYS", "3"))
    # Reports (portal.reports) are produced by the job queue; cron in UTC: 01:30 Beijing time, the day they are due.
    REPORTS_CRON = os.environ.get("REPORTS_CRON", "30 17 * * *")
    # The staff dashboard's aggregates are cached for five minutes (portal.stats.cache); None: on, except in an app
    # made for tests.
    STATS_CACHE = None
    BACKUP_KEY = os.environ.get("BACKUP_KEY", "")  # hex/base64, not a data key; required by flask backup/restore
    BACKUP_DIR = os.environ.get("BACKUP_DIR", str(ROOT / "var" / "backups"))


def load(overrides: dict | None = None) -> dict:
    """Return the configuration as a dict: class defaults, then the environment, then ``overrides``."""
    values = {k: v for k, v in vars(Config).items() if k.isupper()}
    overrides = overrides or {}
    if "SQLALCHEMY_DATABASE_URI" not in overrides:
        values["SQLALCHEMY_DATABASE_URI"] = _database_url()
        if values["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
            Path(values["SQLALCHEMY_DATABASE_URI"][len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    if "SECRET_KEY" not in overrides:
        values["SECRET_KEY"] = _secret_key()
    values.update(overrides)
    if values["TRUSTED_HOSTS"] == []:
        public = urlsplit(values["PUBLIC_BASE_URL"]).hostname
        values["TRUSTED_HOSTS"] = ["localhost", "127.0.0.1", *([public] if public else [])]
    return values
