"""A raw HTTP/1.1 server on 127.0.0.1 that misbehaves on cue: hangs, drops connections, answers
503/429 with Retry-After, or answers slowly while counting requests in flight.

The real service never does these things on demand, so the client's retry and concurrency
paths are tested against this; everything else is tested against the real server.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Handler = Callable[[Request], Reply]
Mode = Literal["answer", "hang", "drop"]


@dataclass
class FakeServer:
    url: str
    requests: list[Request] = field(default_factory=list)
    connections: int = 0
    in_flight: int = 0
    max_in_flight: int = 0


def echo_results(req: Request) -> Reply:
    """A /v1/rewards answer scoring every item 1.0 (the id echoed)."""
    items = req.body["items"]
    return Reply(
        body={
            "results": [
                {"id": it["id"], "reward": 1.0, "scores": {"format": 1.0}, "details": {}}
                for it in items
            ]
        }
    )


@contextmanager
def fake_server(mode: Mode = "answer", handler: Handler = echo_results) -> Iterator[FakeServer]:
    """Run the server in a thread for the `with` block."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    state: dict[str, Any] = {}
    held: list[asyncio.StreamWriter] = []

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        srv: FakeServer = state["srv"]
        srv.connections += 1
        if mode == "drop":
            writer.close()
            return
        if mode == "hang":
            held.append(writer)  # accepted, never answered, closed only at the end
            return
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                method, path, _ = line.decode().split(" ", 2)
                headers: dict[str, str] = {}
                while (h := await reader.readline()) not in (b"\r\n", b""):
                    k, _, v = h.decode().partition(":")
                    headers[k.strip().lower()] = v.strip()
                raw = await reader.readexactly(int(headers.get("content-length", 0)))
                req = Request(method, path, headers, json.loads(raw) if raw else None, time.time())
                srv.requests.append(req)
                srv.in_flight += 1
                srv.max_in_flight = max(srv.max_in_flight, srv.in_flight)
                try:
                    reply = handler(req)
                    if reply.delay:
                        await asyncio.sleep(reply.delay)
                finally:
                    srv.in_flight -= 1
                data = json.dumps(reply.body).encode()
                head = [f"HTTP/1.1 {reply.status} X", f"Content-Length: {len(data)}"]
                head += ["Content-Type: application/json"]
                head += [f"{k}: {v}" for k, v in reply.headers.items()]
                writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        state["srv"] = FakeServer(f"http://127.0.0.1:{port}")
        state["server"] = server
        ready.set()
        await server.serve_forever()

    thread = threading.Thread(target=lambda: _run(loop, main()), daemon=True)
    thread.start()
    ready.wait(5)
    try:
        yield state["srv"]
    finally:

        def shutdown() -> None:
            for w in held:
                w.close()
            state["server"].close()
            for task in asyncio.all_tasks(loop):
                task.cancel()

        loop.call_soon_threadsafe(shutdown)
        thread.join(5)


def _run(loop: asyncio.AbstractEventLoop, coro: Any) -> None:
    try:
        loop.run_until_complete(coro)
    except asyncio.CancelledError:
        pass
    finally:
        loop.close()
