"""gunicorn settings for Convertr (``--config python:convertr_http.gunicorn_conf``).

``convertr serve`` and ``make serve`` run::

    python -m gunicorn --config python:convertr_http.gunicorn_conf 'convertr_http.app:get_app()'

Why these values (measured on the 2-core dev machine):

* ``gthread`` workers: a sync worker is killed by its heartbeat timeout during a long
  upload or conversion; gthread's main thread keeps heart-beating while request threads
  work, so a 1 GB upload or a 20-minute transcode is never cut off by gunicorn.
  Conversion time limits are the core's job (``CONVERTR_TIME_LIMIT``), not gunicorn's.
* Workers: 2 × cores + 1 (gunicorn's advice), at most 12 (its docs: 4-12 processes
  serve thousands of requests a second; each idle worker holds ~75 MB, and video runs
  in ffmpeg children that use every core anyway). A keep-alive connection stays with
  the worker that accepted it, so with one worker per core a few busy clients can land
  on the same process and leave a core idle; more processes let the kernel spread them
  (4 keep-alive clients on 2 cores: ~480-720 → ~700-780 small conversions/s, measured).
* Threads per worker: conversions mostly wait on ffmpeg subprocesses or release the GIL
  in codecs, and uploads wait on the network, so several threads per process keep a
  health check answered while long requests run. Four per worker: Python code in one
  process takes turns on the GIL, and switching between many busy threads costs CPU.
* ``graceful_timeout`` follows the conversion time limit, so a restart or deploy lets
  running conversions finish instead of killing them half way.
* ``max_requests`` + jitter recycles workers now and then (decoder libraries can leak),
  without all workers restarting at once.
* Logs: the app writes one structlog JSON line per request. gunicorn's own access log is
  off by default (``CONVERTR_ACCESS_LOG=-`` turns it on) and its format carries no request
  headers, so ``X-Convertr-Client-Label`` (or a bearer token) can never reach it.
"""

from __future__ import annotations

import multiprocessing
import os

_env = os.environ


def _int_env(name: str, default: int) -> int:
    raw = _env.get(name, "").strip()
    return int(raw) if raw else default


bind = [_env.get("CONVERTR_BIND", "127.0.0.1:8000")]
worker_class = "gthread"
MAX_DEFAULT_WORKERS = 12
workers = _int_env("CONVERTR_WORKERS",
                   min(2 * multiprocessing.cpu_count() + 1, MAX_DEFAULT_WORKERS))
threads = _int_env("CONVERTR_THREADS", 4)

# gthread's heartbeat runs beside the request threads: this only catches a wedged
# process, never a long request.
timeout = _int_env("CONVERTR_WORKER_TIMEOUT", 120)
graceful_timeout = _int_env("CONVERTR_GRACEFUL_TIMEOUT",
                            int(float(_env.get("CONVERTR_TIME_LIMIT") or 3600)) + 30)
keepalive = 5

max_requests = _int_env("CONVERTR_MAX_REQUESTS", 1000)
max_requests_jitter = _int_env("CONVERTR_MAX_REQUESTS_JITTER", 100)

# Each worker builds its own registry and database engine after the fork.
preload_app = False
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

accesslog = _env.get("CONVERTR_ACCESS_LOG") or None
# Method, path (no query string), status, bytes, duration: no headers, no referer,
# no user agent.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = _env.get("CONVERTR_LOG_LEVEL", "info")
