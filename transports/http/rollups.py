"""``GET /api/rollups`` (JSON) and ``GET /reliability`` (the seed's table, with charts).

Loaded by ``create_app`` through ``ROUTE_EXTENSIONS``. Both endpoints are public, so the
volume floor (``CONVERTR_ROLLUP_MIN_VOLUME``, default 20) can be raised by a query
parameter but never lowered. The page is self-contained: inline CSS and inline SVG, no
script, no external asset.

Being public, a report is kept per worker for ``CONVERTR_ROLLUP_CACHE_S`` seconds
(default 30; 0 turns it off) and sent with a matching ``Cache-Control``: a rollup reads
every row of its window, and a client reloading the page must not make the database do
that again and again.
"""

from __future__ import annotations

import os
import threading
import time
from html import escape
from typing import Callable, Optional

import falcon

from convertr_core import BadRequest, Settings, metering
from convertr_core.rollups import (TITLE, PairRollup, RollupReport, check_cohort, check_view,
                                   format_duration, format_percent, parse_window,
                                   public_min_volume, rollups)

DESCRIPTION = ("Recent {view} rollups by supported source and target format, including "
               "request volume, success rate, error rate, and average conversion runtime.")


def add_routes(app: falcon.App, settings: Settings) -> None:
    """Add the rollup endpoints; migrate and recover the metering table once at start."""
    metering.start(settings)
    reports = ReportCache(settings, cache_seconds())
    app.add_route("/api/rollups", RollupsResource(reports))
    app.add_route("/reliability", ReliabilityPage(reports))


def cache_seconds() -> float:
    """``CONVERTR_ROLLUP_CACHE_S`` (default 30; 0: compute every request)."""
    raw = os.environ.get("CONVERTR_ROLLUP_CACHE_S", "").strip()
    return max(0.0, float(raw)) if raw else 30.0


Query = tuple[int, str, Optional[str], int]  # window days, view, cohort, min volume


class ReportCache:
    """Reports by query, each kept ``ttl`` seconds; one computation per query at a time."""

    def __init__(self, settings: Settings, ttl: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings, self.ttl, self.clock = settings, ttl, clock
        self._reports: dict[Query, tuple[float, RollupReport]] = {}
        self._lock = threading.Lock()

    def get(self, req: falcon.Request, resp: falcon.Response) -> RollupReport:
        """The report the query string asks for, fresh enough; sets ``Cache-Control``."""
        query = _query(req)
        resp.cache_control = ["public", f"max-age={int(self.ttl)}"] if self.ttl else ["no-cache"]
        if not self.ttl:
            return self._compute(query)
        with self._lock:  # concurrent reloads wait for one computation, not start their own
            kept = self._reports.get(query)
            if kept is None or kept[0] <= self.clock():
                self._forget_expired()
                kept = (self.clock() + self.ttl, self._compute(query))
                self._reports[query] = kept
            return kept[1]

    def _compute(self, query: Query) -> RollupReport:
        window_days, view, cohort, min_volume = query
        return rollups(self.settings, window_days=window_days, view=view, cohort=cohort,
                       min_volume=min_volume)

    def _forget_expired(self) -> None:
        now = self.clock()
        for query in [q for q, (expires, _) in self._reports.items() if expires <= now]:
            del self._reports[query]


def _query(req: falcon.Request) -> Query:
    """``window``, ``view``, ``cohort`` and ``min_volume`` from the query string, checked."""
    floor = public_min_volume()
    raw_min = req.get_param("min_volume")
    try:
        min_volume = max(floor, int(raw_min)) if raw_min else floor
    except ValueError:
        raise BadRequest("min_volume must be a whole number",
                         errors={"min_volume": ["must be a whole number"]}) from None
    return (parse_window(req.get_param("window")), check_view(req.get_param("view")),
            check_cohort(req.get_param("cohort")), min_volume)


class RollupsResource:
    """``GET /api/rollups?window=14d&view=anonymous|all&cohort=…&min_volume=N``."""

    def __init__(self, reports: ReportCache) -> None:
        self.reports = reports

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.reports.get(req, resp).to_dict()


class ReliabilityPage:
    """``GET /reliability``: the same report as an HTML page."""

    def __init__(self, reports: ReportCache) -> None:
        self.reports = reports

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_HTML
        resp.text = render_page(self.reports.get(req, resp))


# -- HTML -------------------------------------------------------------------------------
_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;
max-width:1100px;color:#1d2330;background:#fff;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.3rem}p.lead{color:#4b5563;margin-top:0}
table{border-collapse:collapse;width:100%;margin-top:1rem}
th,td{padding:.55rem .7rem;border-bottom:1px solid #e5e7eb;text-align:right;
vertical-align:middle}
th:first-child,td:first-child{text-align:left;font-weight:600}
th{background:#f3f4f6;font-size:.85rem;text-transform:uppercase;letter-spacing:.03em}
td.chart,th:last-child{text-align:left}nav a{margin-right:1rem;color:#2563eb}
.empty{padding:2rem;text-align:center;color:#6b7280}.legend{font-size:.85rem;color:#4b5563}
.ok{fill:#16a34a}.bad{fill:#dc2626}
"""


def render_page(report: RollupReport) -> str:
    """The whole HTML document for ``report``."""
    view_text = "anonymous API" if report.view == "anonymous" else "all-traffic"
    rows = "".join(_row(pair) for pair in report.pairs) or (
        f'<tr><td colspan="8" class="empty">No pair has {report.min_volume} or more '
        f"requests in the last {report.window_days} days yet.</td></tr>")
    cohort = f" · cohort {escape(report.cohort)}" if report.cohort else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(TITLE)} · Convertr</title><style>{_STYLE}</style></head>
<body><h1>{escape(TITLE)}</h1>
<p class="lead">{escape(DESCRIPTION.format(view=view_text))}</p>
<nav>{_nav(report)}</nav>
<p class="legend">Last {report.window_days} days{cohort}; pairs with fewer than
{report.min_volume} requests are not shown. Chart: requests per day,
<span style="color:#16a34a">succeeded</span> and <span style="color:#dc2626">failed</span>.</p>
<table><thead><tr><th>Pair</th><th>Requests</th><th>Success</th><th>Errors</th>
<th>Avg runtime</th><th>P95 runtime</th><th>Window</th><th>Daily volume</th></tr></thead>
<tbody>{rows}</tbody></table></body></html>
"""


def _nav(report: RollupReport) -> str:
    links = []
    for view, text in (("anonymous", "Anonymous API"), ("all", "All traffic")):
        links.append(f'<a href="/reliability?view={view}&amp;window={report.window_days}d">'
                     f"{text}</a>")
    return "".join(links)


def _row(pair: PairRollup) -> str:
    cells = [escape(pair.pair_label), f"{pair.requests:,}",
             format_percent(pair.succeeded, pair.requests),
             format_percent(pair.errors, pair.requests),
             format_duration(pair.avg_runtime_ms), format_duration(pair.p95_runtime_ms),
             f"{pair.window_days}d"]
    tds = "".join(f"<td>{cell}</td>" for cell in cells)
    return f'<tr data-pair="{escape(pair.pair_label)}">{tds}<td class="chart">{chart(pair)}</td></tr>'


def chart(pair: PairRollup, width: int = 220, height: int = 44) -> str:
    """A bar per day: the green part succeeded, the red part on top failed."""
    days = pair.daily or []
    peak = max((point.requests for point in days), default=0) or 1
    step = width / max(len(days), 1)
    bars: list[str] = []
    for index, point in enumerate(days):
        bars.extend(_bar(index * step, step, point.requests, point.succeeded, peak, height,
                         point.day.isoformat()))
    label = (f"{pair.pair_label}: daily requests and successes over "
             f"{len(days)} days, peak {peak if days else 0} per day")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">'
            f'<title>{escape(label)}</title>'
            f'<line x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}" '
            f'stroke="#d1d5db"/>{"".join(bars)}</svg>')


def _bar(x: float, step: float, requests: int, succeeded: int, peak: int, height: int,
         day: str) -> list[str]:
    if not requests:
        return []
    scale = (height - 2) / peak
    good, bad = succeeded * scale, (requests - succeeded) * scale
    width = max(step - 2, 1)
    tip = f"<title>{day}: {requests} requests, {succeeded} succeeded</title>"
    parts = [f'<rect class="ok" x="{x + 1:.1f}" y="{height - 1 - good:.1f}" '
             f'width="{width:.1f}" height="{good:.1f}">{tip}</rect>']
    if bad:
        parts.append(f'<rect class="bad" x="{x + 1:.1f}" y="{height - 1 - good - bad:.1f}" '
                     f'width="{width:.1f}" height="{bad:.1f}">{tip}</rect>')
    return parts
