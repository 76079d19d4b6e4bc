"""Settings: each listed once with its default; environment variables override; checked at start-up."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "dev-only-secret-change-me"
# Development and tests chain the audit log with this published key: their data is demo data, and every
# process (web workers, `flask worker`, the CLI, the test fixtures) agrees on it without a shared file.
DEV_AUDIT_KEY = "dev-only-audit-key-change-me"

DEFAULTS = {
    "APP_ENV": "development",
    "SECRET_KEY": DEFAULT_SECRET,
    "AUDIT_KEY": DEV_AUDIT_KEY,  # HMAC key of the audit chain: kept outside the database
    "DATABASE_URL": f"sqlite:///{ROOT / 'instance' / 'minxu.db'}",
    "DEMO_PASSWORD": "demo-pass-2026",
    "PROCESSES_DIR": str(ROOT / "processes"),
    "FORMS_DIR": str(ROOT / "forms"),
    "NODE_MODULES_DIR": str(ROOT / "node_modules"),  # bpmn-js and dmn-js for the designer (npm ci)
    "SCRIPT_TIME_LIMIT": 1.0,
    # CPU seconds of the whole process after which an engine run, completion or rendering ends it (hardstop);
    # also read as MINXU_HARD_CPU_SECONDS. 0 turns it off.
    "HARD_CPU_SECONDS": 15.0,
    "TOKEN_TTL_HOURS": 24 * 30,
    "TIME_BANK_POINTS_PER_HOUR": 10,  # 志愿服务时间储蓄: points per confirmed hour
    "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,  # one request: a form with up to two 5 MB attachments
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "WTF_CSRF_TIME_LIMIT": None,
}


def load_settings(overrides: dict | None = None) -> dict:
    """Return the settings: defaults, then environment, then explicit overrides."""
    settings = dict(DEFAULTS)
    for key, default in DEFAULTS.items():
        if key in os.environ:
            settings[key] = _coerce(os.environ[key], default)
    if "MINXU_HARD_CPU_SECONDS" in os.environ and "HARD_CPU_SECONDS" not in os.environ:
        settings["HARD_CPU_SECONDS"] = float(os.environ["MINXU_HARD_CPU_SECONDS"])
    settings.update(overrides or {})
    settings["SQLALCHEMY_URL"] = normalise_database_url(settings["DATABASE_URL"])
    check_settings(settings)
    return settings


def normalise_database_url(url: str) -> str:
    """Pick the driver for a plain postgresql:// URL (psycopg 3)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def check_settings(settings: dict) -> None:
    """Refuse settings that are unsafe in production."""
    if settings["APP_ENV"] != "production":
        return
    if settings["SECRET_KEY"] == DEFAULT_SECRET or len(settings["SECRET_KEY"]) < 32:
        raise RuntimeError("APP_ENV=production needs SECRET_KEY set to a random value of 32+ characters")
    if settings["AUDIT_KEY"] == DEV_AUDIT_KEY or len(settings["AUDIT_KEY"]) < 32:
        raise RuntimeError("APP_ENV=production needs AUDIT_KEY (the audit chain's HMAC key, kept outside "
                           "the database) set to a random value of 32+ characters")
    if settings["AUDIT_KEY"] == settings["SECRET_KEY"]:
        raise RuntimeError("APP_ENV=production needs AUDIT_KEY to differ from SECRET_KEY")
    if settings.get("DEBUG"):
        raise RuntimeError("APP_ENV=production refuses DEBUG")


def _coerce(raw: str, default):
    if isinstance(default, bool):
        return raw.lower() in ("1", "true", "yes")
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, int):
        return int(raw)
    return raw
