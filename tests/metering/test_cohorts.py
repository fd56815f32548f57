"""Label normalisation and keyed-hash cohorts."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import stat
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from convertr_core import Settings
from convertr_core.cohorts import cohort_for, cohort_for_settings, load_secret, normalise_label

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("raw, expected", [
    ("acme-mobile-production", "acme-mobile-production"),
    ("  Acme   Mobile\tProduction \n", "acme mobile production"),
    ("ＡＣＭＥ", "acme"),                      # full-width letters: NFKC
    ("Stra\u00dfe", "strasse"),                # ß case-folds to ss
    ("ﬁle", "file"),                           # ligature: NFKC
    ("a\u00a0\u2003b", "a b"),                 # no-break and em spaces collapse
    ("x" * 79 + " " + "y" * 10, "x" * 79),    # cut at 80, then trailing space trimmed
    ("É" * 100, "é" * 80),
    ("   ", ""), ("", ""), (None, ""),
])
def test_normalisation(raw, expected):
    assert normalise_label(raw) == expected


def test_normalisation_is_idempotent():
    for raw in ["Ǆemal ﬀ", "ẞIG  Å", "Ⅻ hours", "ǅ" * 90, "ΣΊΣΥΦΟΣ"]:
        once = normalise_label(raw)
        assert normalise_label(once) == once


def test_cohort_is_keyed_hmac_of_normalised_label():
    cohort = cohort_for("  ACME Mobile ", b"k1")
    expected = hmac.new(b"k1", b"acme mobile", hashlib.sha256).hexdigest()[:16]
    assert cohort == "cohort_" + expected
    assert re.fullmatch(r"cohort_[0-9a-f]{16}", cohort)
    assert cohort_for("acme mobile", b"k1") == cohort          # same label, same cohort
    assert cohort_for("acme mobile", b"k2") != cohort          # the key matters
    assert hashlib.sha256(b"acme mobile").hexdigest()[:16] not in cohort  # not unkeyed
    assert cohort_for("   ", b"k1") is None and cohort_for(None, b"k1") is None


def test_generated_secret_is_private_and_stable(tmp_path):
    settings = Settings(home=tmp_path / "home")
    first = load_secret(settings)
    path = tmp_path / "home" / "secret.key"
    assert len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret(settings) == first
    assert [p.name for p in path.parent.iterdir()] == ["secret.key"]  # no drafts left


def test_env_secret_wins_and_nothing_is_written(tmp_path):
    settings = Settings(home=tmp_path / "home", secret="from-env")
    assert load_secret(settings) == b"from-env"
    assert not (tmp_path / "home" / "secret.key").exists()
    assert cohort_for_settings("a", settings) == cohort_for("a", b"from-env")


def _secret_in_new_process(home: str) -> bytes:
    return load_secret(Settings(home=Path(home)))


def test_processes_starting_together_agree_on_one_secret(tmp_path):
    home = str(tmp_path / "home")
    with ProcessPoolExecutor(6) as pool:
        secrets = set(pool.map(_secret_in_new_process, [home] * 24))
    assert len(secrets) == 1 and b"" not in secrets


def test_same_cohort_across_processes_and_restarts(tmp_path):
    env = {**os.environ, "CONVERTR_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    env.pop("CONVERTR_SECRET", None)
    code = ("import convertr_core as c; "
            "print(c.cohort_for_label(' Acme  MOBILE ', c.get_settings()))")
    runs = {subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, check=True).stdout.strip() for _ in range(2)}
    here = cohort_for_settings("acme mobile", Settings(home=tmp_path / "home"))
    assert runs == {here}
