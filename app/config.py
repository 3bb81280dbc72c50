"""Settings, read from the environment only.

The embedded default (no variable set) is a SQLite file under instance/ and jobs that run
inline, so `make run` needs no server. Production sets MOTCUA_ENV=production, SECRET_KEY, PUBLIC_URL,
DATABASE_URL and REDIS_URL (see README, "Configuration").
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from redis.backoff import ExponentialBackoff
from redis.retry import Retry

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

# Demo-only: used when SECRET_KEY is not set outside production. Never deploy with it.
DEMO_ONLY_SECRET_KEY = "demo-only-insecure-secret-key-do-not-deploy"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(raw: str | None) -> str:
    """Normalise DATABASE_URL: `postgres://` and `postgresql://` use the psycopg 3 driver."""
    if not raw:
        return f"sqlite:///{INSTANCE / 'motcua.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def storage_url(raw: str | None) -> str | None:
    """STORAGE_URL, checked at start-up: a mistyped store must stop the portal, not lose files."""
    if not raw:
        return None
    if not raw.startswith("s3://") or not raw[5:].split("/", 1)[0]:
        raise RuntimeError(f"STORAGE_URL must look like s3://bucket/prefix (got {raw!r})")
    return raw


def redis_options() -> dict:
    """How the portal connects to Redis (the queue and the rate limits' counters): an outage
    must fail fast, not hold the request. redis-py 8 retries a failed connection ten times with
    backoff (4 s per call, seen: 40 s for four submissions while Redis was down); one quick retry
    is enough for a blip, and what fails waits in the database for the sweeper."""
    return {"socket_connect_timeout": 1, "retry": Retry(ExponentialBackoff(cap=0.2, base=0.05), 1)}


# The wildcard addresses a server listens on are no address a browser (or a QR code) can reach.
_WILDCARDS = {"0.0.0.0", "::", ""}


ESMS_URL = "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"
SMS_PROVIDERS = ("esms", "json")


def sms_provider(value: str | None) -> str | None:
    """SMS_PROVIDER: one of SMS_PROVIDERS, or unset (no SMS); a misspelt one stops the start."""
    if not value:
        return None
    if value not in SMS_PROVIDERS:
        raise RuntimeError(f"SMS_PROVIDER must be one of {', '.join(SMS_PROVIDERS)}, not {value!r}")
    return value


ZALO_ZNS_URL = "https://business.openapi.zalo.me/message/template"
ZALO_OAUTH_URL = "https://oauth.zaloapp.com/v4/oa/access_token"


def zalo_templates(raw: str | None) -> dict[str, str]:
    """ZALO_TEMPLATES: a JSON object, notice kind → ZNS template id ({"received": "231234"});
    anything else stops the start (a typo must not silently drop every Zalo notice)."""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(isinstance(v, str | int) and str(v).strip() for v in value.values()):
        raise RuntimeError('ZALO_TEMPLATES must be a JSON object of template ids, e.g. {"received": "231234"}')
    return {str(kind): str(template).strip() for kind, template in value.items()}


def zalo_token_key(raw: str | None) -> str | None:
    """ZALO_TOKEN_KEY: a Fernet key (32 bytes, URL-safe base64, `Fernet.generate_key()`), checked
    at start; unset: services/zalo.py derives one from SECRET_KEY."""
    if not raw:
        return None
    from cryptography.fernet import Fernet

    try:
        Fernet(raw)
    except ValueError:
        raise RuntimeError("ZALO_TOKEN_KEY must be a Fernet key (32 bytes, URL-safe base64)") from None
    return raw


def public_url(env) -> str:
    """PUBLIC_URL, the portal's address in QR codes and e-mail links (a job has no request to
    take it from). In development it defaults to where `make run` serves (HOST and PORT, which
    the Makefile exports; `flask run`'s FLASK_RUN_HOST / FLASK_RUN_PORT otherwise); production
    must set it: a guessed address printed on a receipt would send citizens nowhere."""
    if env.get("PUBLIC_URL"):
        return env["PUBLIC_URL"].rstrip("/")
    if env.get("MOTCUA_ENV", "development") == "production":
        raise RuntimeError("PUBLIC_URL must be set when MOTCUA_ENV=production "
                           "(the portal's public address, e.g. https://dichvucong.example.gov.vn)")
    host = (env.get("HOST") or env.get("FLASK_RUN_HOST") or "127.0.0.1").strip()
    port = (env.get("PORT") or env.get("FLASK_RUN_PORT") or "5000").strip()
    if host in _WILDCARDS:
        logging.getLogger(__name__).warning(
            "PUBLIC_URL not set and HOST=%s listens everywhere: links use 127.0.0.1; set PUBLIC_URL "
            "to the address other devices reach", host or "(empty)")
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 literal in a URL
    return f"http://{host}:{port}"


def from_environ() -> dict:
    env = os.environ
    production = env.get("MOTCUA_ENV", "development") == "production"
    secret = env.get("SECRET_KEY")
    if not secret:
        if production:
            raise RuntimeError("SECRET_KEY must be set when MOTCUA_ENV=production")
        logging.getLogger(__name__).warning("SECRET_KEY not set: using the demo-only key")
        secret = DEMO_ONLY_SECRET_KEY
    redis_url = env.get("REDIS_URL") or None
    return {
        "ENV_NAME": "production" if production else "development",
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url(env.get("DATABASE_URL")),
        # No pool_pre_ping (a round trip before every request's first statement, issue 15): a
        # connection the server closed (restart, failover) fails the one request that finds it,
        # answered 503 (app/errors.py), and SQLAlchemy then drops the process's whole pool, so
        # the next requests connect afresh. pool_recycle retires connections before an idle
        # timeout of the server or of a firewall between them can cut them.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 1800},
        "REDIS_URL": redis_url,
        "RQ_QUEUE": env.get("RQ_QUEUE", "motcua"),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_STORAGE_OPTIONS": redis_options() if redis_url else {},
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # When Redis (the counters' store) is down, limits go on in each process's memory and
        # a failing limiter lets the request through with a log line: never a 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # Per client address, on the POST of log-in and registration (guessing passwords).
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute"),
        # Per client address, on the public lookup (codes must not be enumerated).
        "LOOKUP_RATE_LIMIT": env.get("LOOKUP_RATE_LIMIT", "30 per minute"),
        # Per account, web and API together: dossiers sent (a successful submission counts).
        "SUBMIT_RATE_LIMIT": env.get("SUBMIT_RATE_LIMIT", "10 per hour"),
        # Feedback sent and codes typed, per address (phản ánh, kiến nghị without an account).
        "FEEDBACK_RATE_LIMIT": env.get("FEEDBACK_RATE_LIMIT", "10 per hour"),
        # How long an API token lives (seconds); each token is a row, revocable (issue 13).
        "API_TOKEN_MAX_AGE": int(env.get("API_TOKEN_MAX_AGE", 30 * 24 * 3600)),
        # How long the links sent by e-mail work: password reset, address verification.
        "PASSWORD_RESET_MAX_AGE": int(env.get("PASSWORD_RESET_MAX_AGE", 3600)),
        "EMAIL_VERIFY_MAX_AGE": int(env.get("EMAIL_VERIFY_MAX_AGE", 7 * 24 * 3600)),
        # Per account, whatever the address: after LOGIN_LOCK_AFTER failures with no more than
        # LOGIN_LOCK_WINDOW seconds between them, log-in is refused for LOGIN_LOCK_SECONDS,
        # doubled with each further failure, at most LOGIN_LOCK_MAX_SECONDS.
        "LOGIN_LOCK_AFTER": int(env.get("LOGIN_LOCK_AFTER", 5)),
        "LOGIN_LOCK_WINDOW": int(env.get("LOGIN_LOCK_WINDOW", 15 * 60)),
        "LOGIN_LOCK_SECONDS": int(env.get("LOGIN_LOCK_SECONDS", 60)),
        "LOGIN_LOCK_MAX_SECONDS": int(env.get("LOGIN_LOCK_MAX_SECONDS", 3600)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        # werkzeug's scrypt (a memory-hard KDF); the test suite sets a cheap one for speed.
        "PASSWORD_HASH_METHOD": env.get("PASSWORD_HASH_METHOD", "scrypt"),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session: no lost forms
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", 60 * 1024 * 1024)),
        "PROCEDURES_DIR": env.get("PROCEDURES_DIR", str(ROOT / "procedures")),
        # Working time (Decree 118/2025 Art. 18; Decree 63/2024): cut-off and office day.
        "DEADLINE_CUTOFF": env.get("DEADLINE_CUTOFF", "15:00"),
        "OFFICE_HOURS": env.get("OFFICE_HOURS", "07:30-11:30,13:30-17:00"),
        "PER_PAGE": int(env.get("PER_PAGE", 20)),
        # How long a process keeps the catalogue listing in memory before re-reading it.
        "CATALOGUE_CACHE_SECONDS": float(env.get("CATALOGUE_CACHE_SECONDS", 10)),
        # Uploads: where files live (by content hash) and how large they may be. STORAGE_URL
        # (s3://bucket/prefix) puts them in an S3-compatible object store shared by every
        # process, at STORAGE_S3_ENDPOINT (unset: AWS); boto3 reads the region and keys from
        # AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY. Unset: the folder STORAGE_DIR.
        "STORAGE_URL": storage_url(env.get("STORAGE_URL")),
        "STORAGE_S3_ENDPOINT": env.get("STORAGE_S3_ENDPOINT") or None,
        "STORAGE_DIR": env.get("STORAGE_DIR", str(INSTANCE / "files")),
        "MAX_FILE_SIZE": int(env.get("MAX_FILE_SIZE", 10 * 1024 * 1024)),
        "MAX_DOSSIER_SIZE": int(env.get("MAX_DOSSIER_SIZE", 50 * 1024 * 1024)),
        # Per-account bounds (issue 18): files in one dossier, drafts not yet sent.
        "MAX_FILES_PER_DOSSIER": int(env.get("MAX_FILES_PER_DOSSIER", 50)),
        "MAX_OPEN_DRAFTS": int(env.get("MAX_OPEN_DRAFTS", 20)),
        # E-mail: with no SMTP_HOST, messages are written to OUTBOX_DIR for a developer to read.
        "SMTP_HOST": env.get("SMTP_HOST") or None,
        "SMTP_PORT": int(env.get("SMTP_PORT", 587)),
        "SMTP_USER": env.get("SMTP_USER") or None,
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": _bool("SMTP_STARTTLS", True),
        "MAIL_FROM": env.get("MAIL_FROM", "mot-cua@localhost"),
        "OUTBOX_DIR": env.get("OUTBOX_DIR", str(INSTANCE / "outbox")),
        "PUBLIC_URL": public_url(env),
        # SMS (issue 16): a brandname provider's HTTP API, chosen by SMS_PROVIDER ("esms": eSMS.vn's
        # SendMultipleMessage_V4_post_json; "json": a generic JSON-over-HTTPS gateway); unset: no
        # SMS is written. SMS_SENDER is the registered brandname; SMS_SECRET_KEY is eSMS's.
        "SMS_PROVIDER": sms_provider(env.get("SMS_PROVIDER")),
        "SMS_API_URL": env.get("SMS_API_URL") or (ESMS_URL if env.get("SMS_PROVIDER") == "esms" else None),
        "SMS_API_KEY": env.get("SMS_API_KEY") or None,
        "SMS_SECRET_KEY": env.get("SMS_SECRET_KEY") or None,
        "SMS_SENDER": env.get("SMS_SENDER", ""),
        "SMS_TIMEOUT": float(env.get("SMS_TIMEOUT", 10)),
        # Zalo ZNS (issue 16, services/zalo.py): the OA's app (ZALO_APP_ID, ZALO_SECRET_KEY), the
        # refresh token it was authorised with (the chain then lives, encrypted, in the
        # database), and a ZNS template id per notice kind; without app id and refresh token,
        # no Zalo adapter. ZALO_TOKEN_KEY encrypts the stored tokens (unset: derived from SECRET_KEY).
        "ZALO_ZNS_URL": env.get("ZALO_ZNS_URL") or ZALO_ZNS_URL,
        "ZALO_OAUTH_URL": env.get("ZALO_OAUTH_URL") or ZALO_OAUTH_URL,
        "ZALO_APP_ID": env.get("ZALO_APP_ID") or None,
        "ZALO_SECRET_KEY": env.get("ZALO_SECRET_KEY") or None,
        "ZALO_REFRESH_TOKEN": env.get("ZALO_REFRESH_TOKEN") or None,
        "ZALO_TEMPLATES": zalo_templates(env.get("ZALO_TEMPLATES")),
        "ZALO_TOKEN_KEY": zalo_token_key(env.get("ZALO_TOKEN_KEY")),
        "ZALO_TIMEOUT": float(env.get("ZALO_TIMEOUT", 10)),
        # The national portal's dossier synchronisation (issue 16; LEGAL.md §4, index 1.4): the
        # endpoint each dossier's record is POSTed to, with `Authorization: Bearer
        # NATIONAL_SYNC_TOKEN` (both from the LGSP / national portal's connection); unset: nothing
        # is synchronised. services/national_sync.py.
        "NATIONAL_SYNC_URL": env.get("NATIONAL_SYNC_URL") or None,
        "NATIONAL_SYNC_TOKEN": env.get("NATIONAL_SYNC_TOKEN") or None,
        "NATIONAL_SYNC_TIMEOUT": float(env.get("NATIONAL_SYNC_TIMEOUT", 15)),
        # How many reverse proxies (nginx, a load balancer) stand in front and set X-Forwarded-*.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", 0)),
        # Online payment of fees through the province's VNPay merchant account: offered only
        # when the terminal code and the hash secret are set (VNPay issues both).
        "VNPAY_TMN_CODE": env.get("VNPAY_TMN_CODE") or None,
        "VNPAY_HASH_SECRET": env.get("VNPAY_HASH_SECRET") or None,
        "VNPAY_PAY_URL": env.get("VNPAY_PAY_URL", "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"),
        # Digital signatures (README "Digital signatures"): an RFC 3161 time-stamping authority
        # for PAdES B-LT (unset: B-B), the trusted root certificates (PEM files, separated by
        # the path separator) that verification chains to, and the demo CA's folder.
        "TSA_URL": env.get("TSA_URL") or None,
        "SIGNING_TRUST_ROOTS": [p for p in env.get("SIGNING_TRUST_ROOTS", "").split(os.pathsep) if p],
        "SIGNING_DEMO_DIR": env.get("SIGNING_DEMO_DIR", str(INSTANCE / "signing-demo")),
        "VERIFY_MAX_SIZE": int(env.get("VERIFY_MAX_SIZE", 20 * 1024 * 1024)),
    }
