"""Packaging hook; the metadata is in pyproject.toml.

Developers keep ``templates/`` and ``migrations/`` at the repository root, beside the package;
a built wheel (``pip install .``, ``pip wheel .``) carries them inside it, as
``marketplace/templates`` and ``marketplace/migrations``, where ``marketplace/settings.py`` looks
first. An editable install reads them from the repository.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = ("templates", "migrations")


class BuildWithBundledFolders(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for name in BUNDLED:
            target = Path(self.build_lib) / "marketplace" / name
            shutil.rmtree(target, ignore_errors=True)  # no file left from an earlier build
            shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithBundledFolders})
