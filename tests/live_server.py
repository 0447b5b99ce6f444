"""The real server in a subprocess on the suite's throwaway database (browser and fuzz tests)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 20.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


@contextmanager
def running_server(env: dict[str, str] | None = None) -> Iterator[str]:
    """``marketplace serve`` on a free port of the suite's database (migrated first): its base URL."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [sys.executable, "-m", "marketplace", "serve", "--host", "127.0.0.1", "--port", str(port)],
        # No sweeper: it would deliver and expire the rows other tests are looking at.
        cwd=PROJECT_ROOT, env={**os.environ, "MARKETPLACE_SWEEP_SECONDS": "0", **(env or {})}, stdout=log,
        stderr=subprocess.STDOUT,
    )

    def output() -> str:
        log.seek(0)
        return log.read().decode(errors="replace").strip()

    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode} before answering /health:\n{output()}")
            if _health(f"{base_url}/health") == 200:
                break
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer /health with 200 within {STARTUP_SECONDS:.0f} s:\n{output()}")
            time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session")
def live_server(database):
    """The base URL of ``marketplace serve`` on a free port (the database is migrated first)."""
    with running_server() as base_url:
        yield base_url
