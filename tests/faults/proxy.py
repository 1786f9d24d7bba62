"""A TCP proxy in front of PostgreSQL that a test can cut and restore: the database "unavailable for
several seconds" as a service sees it — open connections dropped, new ones refused.

It runs its own event loop in a thread, so it keeps forwarding while the test blocks (a synchronous
HTTP call, a service starting)."""

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from tests.e2e.stack import free_ports


@dataclass
class Proxy:
    target_host: str
    target_port: int
    port: int = field(default_factory=lambda: free_ports(1)[0])
    loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)
    server: asyncio.Server | None = None
    open: set[asyncio.StreamWriter] = field(default_factory=set)

    def start(self) -> None:
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.restore()

    def restore(self) -> None:
        """Listen again: new connections go through."""
        self._call(self._listen())

    def cut(self) -> None:
        """Refuse new connections and drop the open ones, as a crashed or unreachable server would."""
        self._call(self._cut())

    def close(self) -> None:
        self.cut()
        self.loop.call_soon_threadsafe(self.loop.stop)

    def _call(self, work: "asyncio.Future[None] | object") -> None:
        asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=10)  # type: ignore[arg-type]

    async def _listen(self) -> None:
        if self.server is None:
            self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, reuse_address=True)

    async def _cut(self) -> None:
        if self.server is not None:
            self.server.close()  # no new connections from here on
            self.server = None
        for writer in list(self.open):
            writer.transport.abort()
        self.open.clear()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            client_writer.transport.abort()
            return
        self.open |= {client_writer, server_writer}
        await asyncio.gather(
            self._pipe(client_reader, server_writer), self._pipe(server_reader, client_writer)
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()
        self.open.discard(writer)


@contextlib.contextmanager
def proxied(host: str, port: int) -> Iterator[Proxy]:
    proxy = Proxy(host, port)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.close()
