"""What an unknown client's huge upload costs the hub: `scanner-hub serve` in its own process,
a 1 GB body sent to it (declared up front, and chunked without a length), the hub's
resident memory (VmRSS, and the peak VmHWM) read from /proc before and after.

    uv run python benchmarks/hub_limits.py [--gigabytes 1]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import machine, table


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _memory_mb(pid: int) -> dict[str, float]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values


def _declared(port: int, size: int) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        head = f"POST /v1/batches HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
        sock.sendall(head.encode())
        sent = 0
        chunk = b" " * (1 << 20)
        try:
            while sent < size:
                sock.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the hub answered and closed
        return sock.recv(200).split(b"\r\n")[0].decode(errors="replace") + f" after {sent >> 20} MiB sent"


def _chunked(port: int, size: int) -> str:
    sent = 0

    def body() -> Iterator[bytes]:
        nonlocal sent
        chunk = b" " * (1 << 20)
        while sent < size:
            sent += len(chunk)
            yield chunk

    try:
        answer = httpx.post(f"http://127.0.0.1:{port}/v1/batches", content=body(), timeout=300)
        status = f"HTTP {answer.status_code}"
    except httpx.TransportError as exc:
        status = f"connection closed by the hub ({type(exc).__name__})"
    return f"{status} after {sent >> 20} MiB sent"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gigabytes", type=float, default=1.0)
    size = int(parser.parse_args().gigabytes * (1 << 30))
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        hub = subprocess.Popen(
            [sys.executable, "-m", "scanner_hub", "--data-dir", folder, "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=2)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            rows = [["hub idle", "", f"{_memory_mb(hub.pid)['VmRSS']:.0f} MB", ""]]
            for name, send in (("declared Content-Length", _declared), ("chunked, no length", _chunked)):
                answer = send(port, size)
                memory = _memory_mb(hub.pid)
                rows.append(
                    [
                        f"{size >> 20} MiB body, {name}",
                        answer,
                        f"{memory['VmRSS']:.0f} MB",
                        f"{memory['VmHWM']:.0f} MB",
                    ]
                )
        finally:
            hub.terminate()
            hub.wait(timeout=30)
    print(f"machine: {machine()}; body limit 8 MiB (the default)")
    print(table(["request", "answer", "hub resident after", "hub peak resident"], rows))


if __name__ == "__main__":
    main()
