"""Fixtures for the wallet-bridge tests: `launch` starts `nbkey … --browser` runs that are killed
at teardown if still alive; tests that need the binary skip (with the reason) when it is missing."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import support  # noqa: E402


def _require_binary() -> None:
    if not (os.path.isfile(support.NBKEY) and os.access(support.NBKEY, os.X_OK)):
        pytest.skip(f"nbkey binary not found at {support.NBKEY} (set NBKEY or build it)")


@pytest.fixture
def launch(tmp_path):
    """launch(args, **kw) -> support.Run; every run still alive at teardown is killed."""
    _require_binary()
    runs: list[support.Run] = []

    def _launch(args, **kw) -> support.Run:
        kw.setdefault("tmp_path", tmp_path)
        run = support.start(list(args), **kw)
        runs.append(run)
        return run

    yield _launch
    for run in runs:
        run.kill()


@pytest.fixture(scope="module")
def idle_run(tmp_path_factory):
    """One `nbkey wallet address --browser` per module whose eth_requestAccounts nobody answers:
    for the checks that must not change the exchange."""
    _require_binary()
    run = support.start(["wallet", "address", "--browser", "--browser-timeout", "900"],
                        tmp_path_factory.mktemp("idle"))
    yield run
    run.kill()


@pytest.fixture
def wallet() -> support.ReferenceWallet:
    return support.ReferenceWallet(support.TEST_KEY)
