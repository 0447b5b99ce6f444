"""Settings read from ``MARKETPLACE_*`` environment variables."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import platformdirs

#: The package's folder, and the repository root beside it in a source tree.
PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent


def _bundled(name: str) -> Path:
    """A folder kept at the repository root for developers, which a built wheel carries inside the
    package (setup.py): inside first, so an installed copy never reads a stray folder beside it."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PROJECT_ROOT / name


TEMPLATES_DIR = _bundled("templates")
MIGRATIONS_DIR = _bundled("migrations")


@dataclass(frozen=True)
class MailSettings:
    """Where the outbox's messages go: SMTP when a host is set, else a folder a manager's page lists."""

    sender: str
    folder: Path
    smtp_host: str | None
    smtp_port: int
    smtp_user: str
    smtp_password: str = field(repr=False)  # never in a logged repr
    # "starttls" (upgrade a plain connection), "ssl" (TLS from the start) or "none"
    smtp_tls: str


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    data_dir: Path
    secret_key: str
    geocoder: str
    nominatim_user_agent: str
    debug: bool
    pool_min_size: int
    pool_max_size: int
    cookie_secure: bool
    max_upload_mb: int
    # Where customers and staff reach the app: links in messages start with it.
    base_url: str
    mail: MailSettings
    # How often each process's sweeper runs (expiry, reminders, mail); 0 turns it off.
    sweep_seconds: float = 30.0
    # Who may read /metrics without a network key (MARKETPLACE_METRICS_ALLOW: addresses or networks).
    metrics_allow: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    # Beyond one machine (docs/deployment.md): read replicas, PgBouncer, the direct session URL.
    read_database_urls: tuple[str, ...] = ()  # MARKETPLACE_READ_DATABASE_URL, comma-separated
    replica_max_lag_seconds: float = 5.0  # a replica further behind is skipped until it catches up
    replica_check_seconds: float = 1.0  # how often each replica's lag is read
    pgbouncer: bool = False  # the database URL is a PgBouncer in transaction mode: no statement cache
    # A session straight to the primary (LISTEN, migrations, backups); None: the database URL.
    direct_database_url: str | None = None
    log_format: str = "text"  # json: one JSON line per request (marketplace/request_log.py)
    log_level: str = "INFO"  # WARNING leaves out the request lines

    @property
    def embedded(self) -> bool:
        return self.database_url is None


def _secret_key(data_dir: Path) -> str:
    """The session signing secret: from the environment, or kept in the data folder."""
    if value := os.environ.get("MARKETPLACE_SECRET_KEY"):
        return value
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value


_SMTP_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


def _mail_settings(data_dir: Path) -> MailSettings:
    env = os.environ.get
    tls = env("MARKETPLACE_SMTP_TLS", "starttls").strip().lower()
    if tls not in _SMTP_PORTS:
        raise ValueError(f"MARKETPLACE_SMTP_TLS must be one of {', '.join(_SMTP_PORTS)}, not {tls!r}")
    return MailSettings(
        sender=env("MARKETPLACE_MAIL_FROM", "Marketplace ricambi <noreply@localhost>"),
        folder=Path(env("MARKETPLACE_MAIL_DIR") or data_dir / "mail"),
        smtp_host=env("MARKETPLACE_SMTP_HOST") or None,
        smtp_port=int(env("MARKETPLACE_SMTP_PORT") or _SMTP_PORTS[tls]),
        smtp_user=env("MARKETPLACE_SMTP_USER", ""),
        smtp_password=env("MARKETPLACE_SMTP_PASSWORD", ""),
        smtp_tls=tls,
    )


def _networks(value: str, variable: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(ipaddress.ip_network(part.strip()) for part in value.split(",") if part.strip())
    except ValueError as error:
        raise ValueError(f"{variable} must list addresses or networks (10.0.0.5, 10.1.0.0/16): {error}") from None


def _log_format(value: str) -> str:
    value = value.strip().lower()
    if value not in ("text", "json"):
        raise ValueError(f"MARKETPLACE_LOG_FORMAT must be text or json, not {value!r}")
    return value


@cache
def get_settings() -> Settings:
    env = os.environ.get
    data_dir = Path(env("MARKETPLACE_DATA_DIR") or platformdirs.user_data_dir("marketplace"))
    return Settings(
        database_url=env("MARKETPLACE_DATABASE_URL") or None,
        data_dir=data_dir,
        secret_key=_secret_key(data_dir),
        geocoder=env("MARKETPLACE_GEOCODER", "offline"),
        nominatim_user_agent=env("MARKETPLACE_NOMINATIM_USER_AGENT", "dealer-marketplace"),
        debug=env("MARKETPLACE_DEBUG", "") == "1",
        pool_min_size=int(env("MARKETPLACE_POOL_MIN", "2")),
        pool_max_size=int(env("MARKETPLACE_POOL_MAX", "10")),
        cookie_secure=env("MARKETPLACE_COOKIE_SECURE", "") == "1",
        max_upload_mb=int(env("MARKETPLACE_MAX_UPLOAD_MB", "50")),
        base_url=env("MARKETPLACE_BASE_URL", "http://localhost:8000").rstrip("/"),
        mail=_mail_settings(data_dir),
        sweep_seconds=float(env("MARKETPLACE_SWEEP_SECONDS", "30")),
        metrics_allow=_networks(env("MARKETPLACE_METRICS_ALLOW", ""), "MARKETPLACE_METRICS_ALLOW"),
        read_database_urls=tuple(u.strip() for u in env("MARKETPLACE_READ_DATABASE_URL", "").split(",") if u.strip()),
        replica_max_lag_seconds=float(env("MARKETPLACE_REPLICA_MAX_LAG_SECONDS", "5")),
        replica_check_seconds=float(env("MARKETPLACE_REPLICA_CHECK_SECONDS", "1")),
        pgbouncer=env("MARKETPLACE_PGBOUNCER", "") == "1",
        direct_database_url=env("MARKETPLACE_DIRECT_DATABASE_URL") or None,
        log_format=_log_format(env("MARKETPLACE_LOG_FORMAT", "text")),
        log_level=env("MARKETPLACE_LOG_LEVEL", "INFO").strip().upper(),
    )
