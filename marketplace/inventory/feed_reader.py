"""Reading a feed's lines off the event loop: in a parser process, so the shop's requests keep the
interpreter while a 100,000-line feed is parsed (a worker thread would share its lock with them).

The parser process imports only the feed-reading modules (this one, feed_lines and what it uses).
``FeedRows`` is columns of plain values: it comes back as a few lists, and is unpickled by the
executor's own thread, not the event loop.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from anyio import to_thread

from marketplace.errors import Invalid
from marketplace.inventory.feed_lines import FeedRows, read_feed

#: Parse in a process (True) or in a worker thread (False: the benchmark compares both).
IN_PROCESS = True

_TRAILER = re.compile(rb"\r?\n#END;\s*([0-9]{1,9})\s*$")
_PARSER: ProcessPoolExecutor | None = None


def read_checked(data: bytes, content_type: str, announced: int | None) -> FeedRows:
    """The feed's lines, checked against the count it announces (``#END;<lines>`` last, or the caller's)."""
    if trailer := _TRAILER.search(data):
        data = data[:trailer.start()] + b"\n"
        counted, field = int(trailer[1]), "#END"
        if announced is not None and announced != counted:
            raise Invalid(f"X-Feed-Lines says {announced} lines and the #END trailer {counted}", "X-Feed-Lines")
        announced = counted
    else:
        field = "X-Feed-Lines"
    lines = read_feed(data, content_type)
    if announced is not None and announced != len(lines):
        raise Invalid(f"the feed announces {announced} lines but holds {len(lines)}: it was cut or padded;"
                      " nothing applied", field)
    return lines


@dataclass(frozen=True, slots=True)
class _Refused:
    message: str
    field: str | None


def _read_in_parser(data: bytes, content_type: str, announced: int | None) -> FeedRows | _Refused:
    # A domain error's own fields do not survive pickling: sent back as plain values.
    try:
        return read_checked(data, content_type, announced)
    except Invalid as error:
        return _Refused(error.message, error.field)


def _parser() -> ProcessPoolExecutor:
    """One parser process per app process, started on the first feed. ``spawn``: a forked copy of
    a process running threads and an event loop is not safe."""
    global _PARSER
    if _PARSER is None:
        _PARSER = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _PARSER


async def read_elsewhere(data: bytes, content_type: str, announced: int | None) -> FeedRows:
    """:func:`read_checked` off the event loop: in the parser process, or (``IN_PROCESS`` off, or the
    process gone) in a worker thread."""
    global _PARSER
    if IN_PROCESS:
        try:
            result = await asyncio.get_running_loop().run_in_executor(
                _parser(), _read_in_parser, data, content_type, announced)
        except BrokenProcessPool:  # the parser died (killed, out of memory): a new one next time
            _PARSER = None
        else:
            if isinstance(result, _Refused):
                raise Invalid(result.message, result.field)
            return result
    return await to_thread.run_sync(read_checked, data, content_type, announced)
