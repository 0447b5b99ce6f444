"""The in-app list of a dealer's notifications, how many a user has not seen, and marking them seen."""

from __future__ import annotations

import json

from marketplace.db import raw_connection
from marketplace.notifications.kinds import KINDS
from marketplace.pagination import PER_PAGE, Page

_UNREAD = """
SELECT count(*) FROM notification n
WHERE n.dealer = $1 AND n.id > COALESCE((SELECT read_up_to FROM notification_read WHERE "user" = $2), 0)
"""


async def unread_count(user_id: int, dealer_id: int) -> int:
    async with raw_connection() as connection:
        return await connection.fetchval(_UNREAD, dealer_id, user_id)


async def notifications(user_id: int, dealer_id: int, page: int = 1) -> tuple[Page[dict], int]:
    """One page of the dealer's notifications, newest first, each marked unread or not for this user;
    and how far the user had read before (what the page then marks as read)."""
    async with raw_connection() as connection:
        read_up_to = await connection.fetchval(
            'SELECT read_up_to FROM notification_read WHERE "user" = $1', user_id) or 0
        total = await connection.fetchval("SELECT count(*) FROM notification WHERE dealer = $1", dealer_id)
        rows = await connection.fetch(
            "SELECT id, kind, subject_id, link, summary, created_at FROM notification WHERE dealer = $1"
            " ORDER BY id DESC LIMIT $2 OFFSET $3", dealer_id, PER_PAGE, (page - 1) * PER_PAGE)
    items = []
    for row in rows:
        item = dict(row)
        item["summary"] = json.loads(item["summary"]) if isinstance(item["summary"], str) else item["summary"]
        item["label_it"], item["label_en"] = KINDS.get(item["kind"], (item["kind"], item["kind"]))
        item["unread"] = item["id"] > read_up_to
        items.append(item)
    return Page(items=items, total=total, page=page), read_up_to


async def mark_read(user_id: int, dealer_id: int) -> None:
    """Everything of the dealer listed so far is seen by this user."""
    async with raw_connection() as connection:
        await connection.execute(
            'INSERT INTO notification_read ("user", read_up_to)'
            " SELECT $1, COALESCE(max(id), 0) FROM notification WHERE dealer = $2"
            ' ON CONFLICT ("user") DO UPDATE SET read_up_to = GREATEST(notification_read.read_up_to, EXCLUDED.read_up_to)',
            user_id, dealer_id)
