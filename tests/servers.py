"""Helpers for tests that start a server process on loopback: port, readiness, shutdown."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(url: str, timeout: float = 1.0) -> bool:
    """True when a GET of url returns 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def wait_until_answers(
    url: str, proc: subprocess.Popen[bytes], timeout: float, interval: float = 0.2
) -> str | None:
    """Poll url until it answers; None when it does, else why not (process exited or timed out)."""
    deadline = time.monotonic() + timeout
    while not answers(url, timeout=min(2.0, timeout)):
        if proc.poll() is not None:
            return f"exited with {proc.returncode}"
        if time.monotonic() > deadline:
            return f"did not answer in {timeout:.0f} s"
        time.sleep(interval)
    return None


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate the process, killing it if it does not exit within 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
