"""Running a child process and reading what it cost: wall time, exit code, peak resident memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass

from bench.datasets import ROOT
from bench.painted import now


class ChildFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class ChildRun:
    started: float  # CLOCK_MONOTONIC, just before the child was forked
    seconds: float  # until the child exited
    code: int
    max_rss_mb: float  # the child's peak resident set size
    stdout: str
    stderr: str

    def json(self) -> dict:
        """The JSON object a probe prints on its last line."""
        lines = [line for line in self.stdout.splitlines() if line.startswith("{")]
        if self.code != 0 or not lines:
            raise ChildFailed(f"exit {self.code}: {self.stderr.strip()[-2000:] or self.stdout.strip()[-2000:]}")
        return json.loads(lines[-1])


def run(argv: list[str], *, timeout: float = 1800.0, env: dict | None = None) -> ChildRun:
    """Run `argv` from the repository root; stdout and stderr go to files (never a full pipe)."""
    environment = dict(os.environ if env is None else env)
    for key in ("TEXTUAL", "TEXTUAL_DEVTOOLS_HOST", "TEXTUAL_DEVTOOLS_PORT"):
        environment.pop(key, None)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = now()
        child = subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=environment)
        watchdog = threading.Timer(timeout, child.kill)
        watchdog.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            watchdog.cancel()
        seconds = now() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        # ru_maxrss is in KiB on Linux, in bytes on macOS
        rss = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
        return ChildRun(started, seconds, child.returncode, round(rss, 1), out.read(), err.read())


def probe(kind: str, *args: str, timeout: float = 1800.0) -> ChildRun:
    return run([sys.executable, "-m", "bench.probe", kind, *args], timeout=timeout)
