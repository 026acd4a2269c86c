"""One write per answer: uvicorn's HTTP protocol with the writes of one event-loop step joined.

uvicorn writes an answer's status line and headers as soon as the app sends
``http.response.start``, and the body with ``http.response.body``: two ``send`` system calls, two
TCP segments, and on loopback the receiver's network stack runs in the sender's system call, twice.
For the small answers of the submission route (a 202 of some 150 bytes) that is a noticeable share
of the HTTP process's CPU. :class:`CoalescingHttpToolsProtocol` gives uvicorn a transport that
buffers what is written during one step of the event loop and writes it at the end of the step
(``call_soon``), so start and body, sent one after the other, go out together. A streamed answer
whose parts are sent in different steps is written step by step, as before; once ``FLUSH_BYTES`` are
buffered they are written at once (so uvicorn's flow control still sees a large answer); closing the
connection writes what is buffered first.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: Buffered bytes written at once, without waiting for the end of the step (large answers).
FLUSH_BYTES = 64 * 1024


class CoalescingTransport:
    """A transport whose writes during one event-loop step reach ``transport`` as one write."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self._size = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))
        self._size += len(data)
        if self._size >= FLUSH_BYTES:  # a large answer: written now, so flow control sees it
            self.flush()

    def writelines(self, chunks: Any) -> None:
        for chunk in chunks:
            self.write(chunk)

    def flush(self) -> None:
        """Write what is buffered (one write)."""
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        self._size = 0
        if not self._transport.is_closing():
            self._transport.write(data)

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + self._size

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending.clear()
        self._size = 0
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol writing through a :class:`CoalescingTransport`."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]
