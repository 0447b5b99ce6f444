"""Settings read from ``MARKETPLACE_*`` environment variables."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import platformdirs

#: The repository root: templates and migrations live beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
    )
