"""Rollup arithmetic against hand-computed fixtures, formatting, and the three outputs."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import falcon.testing
import pytest
from click.testing import CliRunner

from convertr_core import ConvertrError, Settings, rollups as core
from convertr_core.db import session_scope
from convertr_core.rollups import (compute, format_duration, format_percent, parse_window,
                                   percentile_nearest_rank)
from convertr_cli.main import cli
from convertr_core.models import utcnow
from tests.metering.helpers import add_row

# Relative to the real clock: creating the app runs recovery and pruning for real.
NOW = utcnow().replace(second=0, microsecond=0)
COHORT_A = "cohort_00000000000000aa"


def _at(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


@pytest.fixture
def fixture_rows(settings):
    """The hand-computed data set in the test's SQLite database."""
    fill(settings)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_settings(request, settings):
    """The same data set on each database (the aggregation is SQL): its settings."""
    if request.param == "postgresql":
        settings = settings.with_(database_url=request.getfixturevalue("postgres_url"))
    fill(settings)
    return settings


def fill(settings) -> None:
    """The hand-computed data set (see each test for the arithmetic)."""
    # PNG -> JPG, anonymous HTTP: 17 successes of 100..1700 ms, i half-days ago;
    # 2 failures (1 h and 9 d 3 h ago), 1 abandoned (2 h ago). 4 carry COHORT_A.
    for i in range(1, 18):
        add_row(settings, runtime_ms=100 * i, started_at=_at(hours=12 * i),
                cohort=COHORT_A if i <= 3 else None)
    add_row(settings, status="failed", error_code="decode_failed", runtime_ms=50,
            started_at=_at(hours=1), cohort=COHORT_A)
    add_row(settings, status="failed", error_code="decode_failed", runtime_ms=50,
            started_at=_at(days=9, hours=3))
    add_row(settings, status="abandoned", error_code="abandoned", runtime_ms=None,
            started_at=_at(hours=2))
    # PNG -> JPG outside the anonymous view: 5 CLI failures, 5 registered-client successes.
    for i in range(5):
        add_row(settings, transport="cli", status="failed", error_code="timeout",
                started_at=_at(days=1, hours=i))
        add_row(settings, client_id=3, runtime_ms=10_000, started_at=_at(days=2, hours=i))
    # MP4 -> MP3: 24 x 120 s and 1 x 245 s, k half-days ago (k = 1..25); plus one row
    # outside the window and one still running, neither counted.
    for k in range(1, 26):
        add_row(settings, source="mp4", target="mp3", kind="video",
                runtime_ms=245_000 if k == 25 else 120_000, started_at=_at(hours=12 * k))
    add_row(settings, source="mp4", target="mp3", runtime_ms=1, started_at=_at(days=15))
    add_row(settings, source="mp4", target="mp3", status="running", runtime_ms=None,
            finished_at=None, started_at=_at(minutes=5))
    # HEIC -> JPG: 19 requests, one under the public floor of 20.
    for _ in range(19):
        add_row(settings, source="heic", runtime_ms=3_780_000, started_at=_at(days=1))


def _report(settings, **kwargs):
    with session_scope(settings) as session:
        return compute(session, now=NOW, **kwargs)


def test_public_anonymous_view(db_settings):
    settings = db_settings
    report = _report(settings)
    assert [p.pair_label for p in report.pairs] == ["MP4 -> MP3", "PNG -> JPG"]  # HEIC < 20
    mp4, png = (p.to_dict() for p in report.pairs)
    assert (mp4["requests"], mp4["success"], mp4["errors"]) == (25, "100%", "0%")
    # avg = (24 * 120000 + 245000) / 25 = 125000; p95 = rank ceil(23.75) = 24th = 120000
    assert (mp4["avg_runtime_ms"], mp4["avg_runtime"]) == (125_000, "2m 05s")
    assert (mp4["p95_runtime_ms"], mp4["p95_runtime"]) == (120_000, "2m 00s")
    assert mp4["window"] == "13d"                     # oldest 12.5 days ago, rounded up
    # 17 + 2 + 1 = 20 requests; 17/20 = 85%; avg of 100..1700 = 900; p95 = 17th = 1700
    assert (png["requests"], png["succeeded"], png["failed"], png["abandoned"]) == (20, 17, 2, 1)
    assert (png["success_rate"], png["error_rate"], png["success"], png["errors"]) == (
        0.85, 0.15, "85%", "15%")
    assert (png["avg_runtime"], png["p95_runtime"], png["p95_runtime_ms"]) == (
        "900 ms", "1.7 s", 1700)
    assert png["window_days"] == 10                   # oldest 9 d 3 h ago
    assert sum(d["requests"] for d in png["daily"]) == 20
    assert sum(d["succeeded"] for d in png["daily"]) == 17
    assert len(png["daily"]) == 15 and png["daily"][-1]["date"] == NOW.date().isoformat()


def test_all_traffic_view(db_settings):
    settings = db_settings
    pairs = {p.pair_label: p for p in _report(settings, view="all").pairs}
    png = pairs["PNG -> JPG"]
    # 20 anonymous + 5 CLI failures + 5 client successes = 30; 22 succeeded
    assert (png.requests, png.succeeded, png.errors) == (30, 22, 8)
    assert format_percent(png.succeeded, png.requests) == "73.3%"
    assert format_percent(png.errors, png.requests) == "26.7%"
    # (100 + ... + 1700 + 5 * 10000) / 22 = (15300 + 50000) / 22
    assert png.avg_runtime_ms == pytest.approx(65_300 / 22)


def test_volume_floor_and_cohort_filter(db_settings):
    settings = db_settings
    everything = _report(settings, min_volume=0)
    heic = next(p for p in everything.pairs if p.source == "heic")
    assert (heic.requests, format_duration(heic.avg_runtime_ms)) == (19, "1h 03m")
    assert _report(settings, cohort=COHORT_A).pairs == []          # 4 < 20
    [mine] = _report(settings, cohort=COHORT_A, min_volume=0).pairs
    assert (mine.requests, mine.succeeded, mine.failed) == (4, 3, 1)
    assert mine.avg_runtime_ms == 200 and mine.p95_runtime_ms == 300


def test_shorter_window(db_settings):
    settings = db_settings
    png = next(p for p in _report(settings, window_days=7, min_volume=0).pairs
               if p.source == "png")
    # successes i = 1..14 (7.0 days ago is inside), the 1 h failure, the abandoned row
    assert (png.requests, png.succeeded) == (16, 14)
    assert png.avg_runtime_ms == 750 and png.p95_runtime_ms == 1400
    assert format_percent(png.succeeded, png.requests) == "87.5%" and png.window_days == 7


@pytest.mark.parametrize("ms, text", [
    (0, "0 ms"), (640, "640 ms"), (999.4, "999 ms"), (999.6, "1.0 s"), (1600, "1.6 s"),
    (1649, "1.6 s"), (59_940, "59.9 s"), (59_960, "1m 00s"), (125_000, "2m 05s"),
    (3_599_400, "59m 59s"), (3_599_600, "1h 00m"), (3_780_000, "1h 03m"),
    (96_755_000, "26h 53m"), (None, "—"),
])
def test_duration_formatting(ms, text):
    assert format_duration(ms) == text


@pytest.mark.parametrize("part, whole, text", [
    (17, 20, "85%"), (1, 3, "33.3%"), (888, 1000, "88.8%"), (5, 5, "100%"), (0, 5, "0%"),
    (9999, 10000, "99.9%"), (1, 10000, "0.1%"), (0, 0, "—"),
])
def test_percent_formatting(part, whole, text):
    assert format_percent(part, whole) == text


def test_nearest_rank_percentile():
    assert percentile_nearest_rank([], 0.95) is None
    assert percentile_nearest_rank([7], 0.95) == 7
    assert percentile_nearest_rank(list(range(1, 101)), 0.95) == 95
    assert percentile_nearest_rank(list(range(1, 21)), 0.95) == 19


@pytest.mark.parametrize("raw, days", [(None, 14), ("", 14), ("14d", 14), ("30", 30),
                                       (" 7D ", 7), (1, 1)])
def test_window_parsing(raw, days):
    assert parse_window(raw) == days


@pytest.mark.parametrize("raw", ["0d", "-3", "2w", "400d", "14 days"])
def test_bad_windows_are_refused(raw):
    with pytest.raises(ConvertrError) as info:
        parse_window(raw)
    assert info.value.code == "bad_request"


def test_rollups_endpoint(settings, fixture_rows, monkeypatch):
    from convertr_http.app import create_app

    monkeypatch.setattr(core, "utcnow", lambda: NOW)
    client = falcon.testing.TestClient(create_app(settings))
    body = client.simulate_get("/api/rollups").json
    assert body["title"] == "High-volume API pair reliability"
    assert (body["view"], body["window_days"], body["min_volume"]) == ("anonymous", 14, 20)
    assert [p["pair"] for p in body["pairs"]] == ["MP4 -> MP3", "PNG -> JPG"]
    assert body["pairs"][1]["avg_runtime_ms"] == 900
    lowered = client.simulate_get("/api/rollups", params={"min_volume": "0"}).json
    assert lowered["min_volume"] == 20 and len(lowered["pairs"]) == 2   # floor holds
    allv = client.simulate_get("/api/rollups", params={"view": "all", "window": "7d"}).json
    assert allv["window_days"] == 7 and allv["view"] == "all"
    bad = client.simulate_get("/api/rollups", params={"cohort": "acme-secret-label"})
    assert bad.status_code == 400 and "acme-secret-label" not in bad.text
    assert client.simulate_get("/api/rollups", params={"window": "nope"}).status_code == 400


def test_rollups_command(settings, fixture_rows, monkeypatch):
    monkeypatch.setattr(core, "utcnow", lambda: NOW)
    runner = CliRunner()
    table = runner.invoke(cli, ["rollups"])
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[1].split()[:2] == ["Pair", "Requests"]
    assert lines[2].split() == ["MP4", "->", "MP3", "25", "100%", "0%", "2m", "05s", "2m",
                                "00s", "13d"]
    assert lines[3].split() == ["PNG", "->", "JPG", "20", "85%", "15%", "900", "ms", "1.7",
                                "s", "10d"]
    data = json.loads(runner.invoke(cli, ["rollups", "--json", "--min-volume", "0",
                                          "--window", "7d", "--view", "all"]).output)
    assert {p["pair"] for p in data["pairs"]} == {"PNG -> JPG", "MP4 -> MP3", "HEIC -> JPG"}
    bad = runner.invoke(cli, ["rollups", "--window", "2w"])
    assert bad.exit_code != 0 and "error:" in bad.output


def test_unreachable_database_is_a_503(settings, monkeypatch):
    from convertr_http.app import create_app

    monkeypatch.setenv("CONVERTR_DATABASE_URL",
                       "postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=2")
    client = falcon.testing.TestClient(create_app(Settings.from_env()))
    response = client.simulate_get("/api/rollups")
    assert response.status_code == 503 and response.json["error"] == "unavailable"
    assert client.simulate_get("/reliability").status_code == 503


def test_rollups_on_a_fresh_data_directory(settings):
    result = CliRunner().invoke(cli, ["rollups"])
    assert result.exit_code == 0 and "no pair has enough requests" in result.output


def test_reports_are_kept_for_the_cache_time_then_recomputed(settings, fixture_rows):
    from convertr_http.rollups import ReportCache

    now = [0.0]
    reports = ReportCache(settings, 30, clock=lambda: now[0])

    def requests_for_png(query: str = "") -> int:
        resp = falcon.Response()
        report = reports.get(falcon.testing.create_req(query_string=query), resp)
        assert resp.get_header("Cache-Control") == "public, max-age=30"
        return next(p.requests for p in report.pairs if p.source == "png")

    assert requests_for_png() == 20
    add_row(settings, started_at=_at(minutes=1))
    now[0] = 29.0
    assert requests_for_png() == 20                   # the kept report
    assert requests_for_png("window=13d") == 21       # another query: computed now
    now[0] = 30.0
    assert requests_for_png() == 21                   # expired: recomputed


def test_a_cache_time_of_zero_computes_every_request(settings, fixture_rows, monkeypatch):
    from convertr_http.app import create_app

    monkeypatch.setenv("CONVERTR_ROLLUP_CACHE_S", "0")
    client = falcon.testing.TestClient(create_app(settings))
    before = client.simulate_get("/api/rollups")
    add_row(settings, started_at=_at(minutes=1))
    after = client.simulate_get("/api/rollups")
    assert before.headers["Cache-Control"] == "no-cache"
    pngs = [next(p for p in r.json["pairs"] if p["source"] == "png") for r in (before, after)]
    assert [p["requests"] for p in pngs] == [20, 21]
