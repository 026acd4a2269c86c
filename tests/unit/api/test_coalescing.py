"""The coalescing transport: what is written during one event-loop step reaches the socket as one write."""

from __future__ import annotations

import asyncio
from typing import Any

from opencbec.api.coalescing import FLUSH_BYTES, CoalescingTransport


class Socket:
    """A pretend transport recording each write (and whether it was closed)."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False
        self.eof = False

    def write(self, data: bytes) -> None:
        assert not self.closed, "written after close"
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.closed = True

    def write_eof(self) -> None:
        self.eof = True

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 8080) if name == "sockname" else default


def test_the_head_and_the_body_sent_in_one_step_go_out_in_one_write() -> None:
    socket = Socket()

    async def scenario() -> None:
        transport = CoalescingTransport(socket, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\n")
        transport.write(b"{}")
        assert socket.writes == []  # not before the end of the step
        assert transport.get_write_buffer_size() == 46
        await asyncio.sleep(0)
        assert socket.writes == [b"HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\n{}"]
        transport.write(b"next")  # a later step: a write of its own
        await asyncio.sleep(0)
        assert socket.writes[1:] == [b"next"]

    asyncio.run(scenario())


def test_closing_writes_what_is_buffered_first() -> None:
    socket = Socket()

    async def scenario() -> None:
        transport = CoalescingTransport(socket, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n")
        transport.close()
        assert socket.writes == [b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n"]
        assert socket.closed
        await asyncio.sleep(0)  # the scheduled flush finds nothing left
        assert len(socket.writes) == 1

    asyncio.run(scenario())


def test_a_write_to_a_closed_connection_is_dropped_and_other_calls_pass_through() -> None:
    socket = Socket()

    async def scenario() -> None:
        transport = CoalescingTransport(socket, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"late")
        socket.closed = True  # the peer went away
        await asyncio.sleep(0)
        assert socket.writes == []
        assert transport.get_extra_info("sockname") == ("127.0.0.1", 8080)
        transport.write_eof()
        assert socket.eof

    asyncio.run(scenario())


def test_a_large_answer_is_written_as_soon_as_enough_is_buffered() -> None:
    socket = Socket()

    async def scenario() -> None:
        transport = CoalescingTransport(socket, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        chunk = b"x" * (FLUSH_BYTES // 4)
        for _ in range(4):
            transport.write(chunk)
        assert len(socket.writes) == 1  # written within the step, not held until its end
        assert len(socket.writes[0]) == 19 + FLUSH_BYTES - FLUSH_BYTES % 4
        assert transport.get_write_buffer_size() == 0
        transport.write(b"tail")
        await asyncio.sleep(0)
        assert socket.writes[1:] == [b"tail"]

    asyncio.run(scenario())
