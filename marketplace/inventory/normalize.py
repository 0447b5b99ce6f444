"""Part numbers as the counter types them, reduced to one form."""

import re

_IGNORED = re.compile(r"[\s\-./]+")


def normalize_part_number(text: str) -> str:
    """Upper case with spaces, dashes, dots and slashes removed: ``1k0-615.301 aa`` -> ``1K0615301AA``."""
    return _IGNORED.sub("", text).upper()
