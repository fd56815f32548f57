"""The committed gunicorn config: what it binds, and that long work is never cut off."""

from __future__ import annotations

import importlib

from convertr_http import gunicorn_conf


def load(monkeypatch, **env: str):  # type: ignore[no-untyped-def]
    for name in ("CONVERTR_BIND", "CONVERTR_TIME_LIMIT", "CONVERTR_GRACEFUL_TIMEOUT",
                 "CONVERTR_WORKERS", "CONVERTR_THREADS", "CONVERTR_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return importlib.reload(gunicorn_conf)


def test_defaults_bind_loopback_with_threaded_workers(monkeypatch):
    conf = load(monkeypatch)
    assert conf.bind == ["127.0.0.1:8000"]
    assert conf.worker_class == "gthread" and conf.threads > 1 and conf.workers >= 2
    assert conf.graceful_timeout >= 3600  # running conversions may finish on restart
    assert conf.max_requests > 0 and conf.max_requests_jitter > 0
    assert conf.accesslog is None  # the app's JSON line is the access log


def test_environment_overrides(monkeypatch):
    conf = load(monkeypatch, CONVERTR_BIND="0.0.0.0:9000", CONVERTR_TIME_LIMIT="600",
                CONVERTR_THREADS="3", CONVERTR_ACCESS_LOG="-")
    assert conf.bind == ["0.0.0.0:9000"] and conf.threads == 3
    assert conf.graceful_timeout == 630 and conf.accesslog == "-"
    load(monkeypatch)  # leave the module as the environment has it



def test_plain_gunicorn_in_a_checkout_uses_the_committed_config():
    """``gunicorn`` run from the repository root loads ./gunicorn.conf.py by default."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVERTR_")}
    env["CONVERTR_THREADS"] = "3"  # proves the file read the environment, not a default
    shown = subprocess.run([sys.executable, "-m", "gunicorn", "--print-config",
                            "convertr_http.app:get_app()"], capture_output=True, text=True,
                           cwd=Path(__file__).resolve().parents[2], env=env, timeout=60)
    settings = dict(line.split(" = ", 1) for line in shown.stdout.splitlines() if " = " in line)
    settings = {name.strip(): value.strip() for name, value in settings.items()}
    assert settings["worker_class"] == "gthread" and settings["threads"] == "3"
    assert settings["bind"] == "['127.0.0.1:8000']" and int(settings["graceful_timeout"]) > 3600


def test_default_worker_count_follows_the_cores_up_to_a_cap(monkeypatch):
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 2)
    assert load(monkeypatch).workers == 5
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 64)
    assert load(monkeypatch).workers == gunicorn_conf.MAX_DEFAULT_WORKERS == 12
    monkeypatch.undo()
    load(monkeypatch)
