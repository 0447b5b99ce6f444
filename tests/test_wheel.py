"""Installed like a product: a wheel built in a clean folder carries the templates, migrations,
static files and data, and ``marketplace demo`` runs from it, far from the source tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.live_server import _free_port, _health

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("marketplace", "templates", "migrations", "pyproject.toml", "setup.py", "MANIFEST.in", "README.md")


def _run(*command: str, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Built from a copy of the sources (no build/ or egg-info left from anything else)."""
    pytest.importorskip("wheel", reason="building a wheel without build isolation needs the wheel package")
    clean = tmp_path_factory.mktemp("clean")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, clean / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, clean / name)
    dist = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(dist),
         str(clean))
    return next(dist.glob("marketplace-*.whl"))


def test_the_wheel_carries_templates_migrations_static_files_and_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"marketplace/{path.relative_to(ROOT)}" for folder in ("templates", "migrations")
                for path in (ROOT / folder).rglob("*") if path.is_file() and "__pycache__" not in path.parts}
    expected |= {str(path.relative_to(ROOT)) for folder in ("marketplace/web/static", "marketplace/web/locale",
                                                             "marketplace/geo/data")
                 for path in (ROOT / folder).rglob("*") if path.is_file()}
    assert len([name for name in expected if name.startswith("marketplace/migrations/")]) >= 8
    assert expected - names == set()


def test_marketplace_demo_runs_from_the_installed_wheel(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--system-site-packages", str(venv))
    python = venv / "bin" / "python"
    _run(str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--force-reinstall", str(wheel))
    # Far from the sources: no PYTHONPATH, another working folder, the embedded database.
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "MARKETPLACE_DATABASE_URL", "MARKETPLACE_DATA_DIR")}
    where = _run(str(python), "-c", "import marketplace; print(marketplace.__file__)", env=env, cwd=tmp_path)
    assert str(venv) in where.stdout

    port = _free_port()
    log = (tmp_path / "demo.log").open("w+")
    process = subprocess.Popen(
        [str(venv / "bin" / "marketplace"), "demo", "--data-dir", str(tmp_path / "data"), "--port", str(port),
         "--dealers", "6", "--parts", "120"],
        env={**env, "MARKETPLACE_SWEEP_SECONDS": "0"}, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while _health(f"{base}/ready") != 200:
            assert process.poll() is None, f"demo exited with {process.returncode}:\n{log.seek(0) or log.read()}"
            assert time.monotonic() < deadline, f"demo not ready:\n{log.seek(0) or log.read()}"
            time.sleep(0.5)
        with urllib.request.urlopen(f"{base}/login", timeout=10) as response:
            page = response.read().decode()
        assert response.status == 200 and 'name="_csrf_token"' in page and "<html" in page  # a template rendered
        with urllib.request.urlopen(f"{base}/static/app.css", timeout=10) as response:
            assert response.status == 200
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
