"""The servers the CLI starts (viewer, Dagster UI) stop with it, children included."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from orchestration import cli

STUBBORN_SERVER = """
import signal, subprocess, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
open(sys.argv[1], "w").write(str(child.pid))
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited but is not yet reaped by its parent.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


def _signal_self_after(seconds: float, sig: int) -> None:
    threading.Timer(seconds, os.kill, (os.getpid(), sig)).start()


def test_sigterm_stops_a_server_that_ignores_it_and_what_it_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_SHUTDOWN_GRACE_SECONDS", 0.5)
    pid_file = tmp_path / "child.pid"
    _signal_self_after(1.0, signal.SIGTERM)
    started = time.monotonic()

    code = cli._run_foreground(
        [sys.executable, "-c", STUBBORN_SERVER, str(pid_file)], dict(os.environ)
    )

    assert code == 0
    assert time.monotonic() - started < 10
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild)


def test_a_server_started_with_ctrl_c_ignored_still_stops_at_the_first_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As when the command runs in the background of a non-interactive shell.
    monkeypatch.setattr(cli, "_SHUTDOWN_GRACE_SECONDS", 30)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _signal_self_after(1.0, signal.SIGTERM)
        started = time.monotonic()
        code = cli._run_foreground(
            [sys.executable, "-c", "import time; time.sleep(120)"], dict(os.environ)
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    assert code == 0
    # Stopped by the SIGINT, long before the grace time would escalate.
    assert time.monotonic() - started < 10
