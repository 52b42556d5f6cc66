"""Settings read from the environment, with safe defaults for a local install."""
import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'portal.sqlite3'}")
    # Hosting platforms still hand out postgres:// URLs; SQLAlchemy wants the driver spelled out.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    # A local install keeps one generated key in var/ so that sessions survive a restart.
    path = ROOT / "var" / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    SECRET_KEY = None  # filled in by load()
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None  # a clerk's form may stay open all morning
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "false").lower() == "true"
    REMEMBER_COOKIE_HTTPONLY = True
    # werkzeug hash method for petitioners' query codes (and, by default, staff passwords).
    QUERY_CODE_HASH_METHOD = os.environ.get("QUERY_CODE_HASH_METHOD", "scrypt")
    PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "scrypt")
    CASES_PER_PAGE = 30


def load(overrides: dict | None = None) -> dict:
    """Return the configuration as a dict: class defaults, then the environment, then ``overrides``."""
    values = {k: v for k, v in vars(Config).items() if k.isupper()}
    overrides = overrides or {}
    if "SQLALCHEMY_DATABASE_URI" not in overrides:
        values["SQLALCHEMY_DATABASE_URI"] = _database_url()
        if values["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
            Path(values["SQLALCHEMY_DATABASE_URI"][len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    if "SECRET_KEY" not in overrides:
        values["SECRET_KEY"] = _secret_key()
    values.update(overrides)
    return values
