"""Urgent needs in radius waves (see below)."""

from __future__ import annotations


async def advance_urgent_needs(now=None) -> int:
    return 0
