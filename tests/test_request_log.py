"""One JSON line per request: id, route template, status, time; client text escaped."""

from __future__ import annotations

import json
import logging

import pytest
import structlog

from marketplace import request_log
from marketplace.metrics import REGISTRY


@pytest.fixture
def json_logs(capsys):
    """Configure JSON logs (in the test: the handler keeps the stderr of the phase it is made in); read them."""
    saved = logging.getLogger().handlers[:], logging.getLogger().level

    def lines() -> list[dict]:
        return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]

    yield lines
    logging.getLogger().handlers, _ = saved[0], logging.getLogger().setLevel(saved[1])
    request_log._configured = None
    structlog.reset_defaults()


async def test_each_request_is_one_json_line_with_its_id_route_status_and_time(client, json_logs):
    request_log.configure("json")
    answer = await client.get("/health", headers={"X-Request-ID": "lb-7f3a.42"})
    assert answer.headers["x-request-id"] == "lb-7f3a.42"
    missing = await client.get("/api/v1/transfers/12345", headers={"X-Request-ID": "x" * 65})  # too long: replaced
    lines = [line for line in json_logs() if line["event"] == "request"]
    assert [(line["method"], line["route"], line["status"]) for line in lines] == [
        ("GET", "/health", 200), ("GET", "/api/v1/transfers/{transfer_id}", 401)]
    assert lines[0]["request_id"] == "lb-7f3a.42" and lines[0]["level"] == "info"
    assert len(lines[1]["request_id"]) == 32 and lines[1]["request_id"] == missing.headers["x-request-id"]
    assert all(isinstance(line["duration_ms"], float) and line["timestamp"].endswith("Z") for line in lines)


async def test_client_text_cannot_forge_a_line(client, json_logs):
    request_log.configure("json")
    await client.get("/shop/parts/X%0A%7B%22event%22%3A%22forged%22%7D")
    lines = [line for line in json_logs() if line["logger"] == "marketplace.requests"]
    assert [line["event"] for line in lines] == ["request"]
    assert lines[0]["path"] == '/shop/parts/X\n{"event":"forged"}' and lines[0]["route"] == "/shop/parts/{number}"


async def test_a_path_no_route_matches_gets_its_line_and_id_too(client, json_logs):
    request_log.configure("json")
    answer = await client.get("/nothing%0Ahere", headers={"X-Request-ID": "scan-1"})
    assert answer.status_code == 404 and answer.headers["x-request-id"] == "scan-1"
    lines = [line for line in json_logs() if line["logger"] == "marketplace.requests"]
    assert [(line["route"], line["status"], line["path"], line["request_id"]) for line in lines] == [
        ("unmatched", 404, "/nothing\nhere", "scan-1")]
    assert lines[0]["duration_ms"] is None


def test_the_text_format_escapes_control_characters():
    assert request_log.for_log("/a\nb") == "/a\\x0ab"


def test_reservation_conflict_and_feed_counters_are_exposed():
    names = {metric.name for metric in REGISTRY.collect()}
    assert {"marketplace_reservation_conflicts", "marketplace_stock_feeds", "marketplace_db_reads",
            "marketplace_replica_lag_seconds", "marketplace_replica_skips"} <= names


def test_a_serving_process_writes_only_json_lines(tmp_path):
    """Through ``marketplace serve`` (uvicorn): the request lines, and nothing on stderr that is not
    JSON (stdout has the command's own "serving at" for a person)."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    from tests.live_server import PROJECT_ROOT, _free_port, _health

    port = _free_port()
    log = (tmp_path / "serve.log").open("w+")
    server = subprocess.Popen([sys.executable, "-m", "marketplace", "serve", "--port", str(port)], cwd=PROJECT_ROOT,
                              env={**os.environ, "MARKETPLACE_LOG_FORMAT": "json", "MARKETPLACE_SWEEP_SECONDS": "0"},
                              stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while _health(f"http://127.0.0.1:{port}/health") != 200:
            assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/about", headers={"X-Request-ID": "probe-1"})
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert answer.headers["X-Request-ID"] == "probe-1"
    finally:
        server.terminate()
        server.wait(15)
    log.seek(0)
    lines = [json.loads(line) for line in log.read().splitlines() if line.strip()]  # each one JSON
    about = [line for line in lines if line.get("route") == "/about"]
    assert [(line["status"], line["request_id"]) for line in about] == [(200, "probe-1")]
