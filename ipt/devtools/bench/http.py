"""A small HTTP/1.1 load client on asyncio, for the benchmark's load phase (load.py).

gunicorn's sync workers answer one request per connection and close it, so each request is a
connection of its own: open, send, read to the end. ``hammer`` keeps ``connections`` requests in
flight for ``seconds`` and records every answer's time and status.
"""

import asyncio
import json
import math
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

HOST = "127.0.0.1"


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict


async def request(port, method, path, *, cookies=None, headers=None, form=None, timeout=60):
    body = urlencode(form).encode() if form is not None else b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
    if cookies:
        lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    if form is not None:
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), timeout)
    try:
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head, _, content = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        parsed.setdefault(name.strip().lower(), []).append(value.strip())
    return Answer(int(status_line.split(" ", 2)[1]), content, parsed)


def set_cookies(answer):
    """{name: value} of the cookies an answer sets."""
    return dict(
        c.split(";", 1)[0].split("=", 1) for c in answer.headers.get("set-cookie", []) if "=" in c
    )


@dataclass
class Load:
    seconds: float = 0
    times: list = field(default_factory=list)  # ms of each answered request
    errors: int = 0  # answers other than the expected status, and failed connections
    statuses: dict = field(default_factory=dict)

    @property
    def rate(self):
        return len(self.times) / self.seconds if self.seconds else 0

    def percentile(self, p):
        if not self.times:
            return math.nan
        ordered = sorted(self.times)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


async def hammer(port, make_request, *, connections, seconds, expect=200, pause=0):
    """``connections`` loops, each sending ``await make_request(i, n)`` (i: the loop, n: its
    count) back to back (or ``pause`` seconds apart) until ``seconds`` have passed."""
    load = Load()
    began = time.perf_counter()
    end = began + seconds

    async def loop(i):
        n = 0
        while time.perf_counter() < end:
            start = time.perf_counter()
            try:
                answer = await make_request(i, n)
            except (OSError, TimeoutError, ValueError, IndexError):
                load.errors += 1
                load.statuses["failed"] = load.statuses.get("failed", 0) + 1
                continue
            load.times.append((time.perf_counter() - start) * 1000)
            load.statuses[answer.status] = load.statuses.get(answer.status, 0) + 1
            if answer.status != expect:
                load.errors += 1
            n += 1
            if pause:
                await asyncio.sleep(pause)

    await asyncio.gather(*(loop(i) for i in range(connections)))
    load.seconds = time.perf_counter() - began
    return load


def json_of(answer):
    return json.loads(answer.body or b"{}")
