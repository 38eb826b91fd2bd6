"""A real SMTP server in the test process (aiosmtpd), recording what arrives (decision 71).

``SMTPTestServer`` listens on 127.0.0.1 and a free port, in a thread of its own. It records each message that
arrives (``Arrived``: envelope sender and recipients, the parsed message, its subject, body and Message-ID);
``refuse(address)`` answers 550 for a recipient, ``answer_451(times=…)`` answers "451 try again later" to the
next recipients; ``stop()`` and ``start()`` take it down and bring it back on the same port (the connections
open at the time are closed, as a server going down would). ``stop_after(n, seconds)`` takes it down once the
n-th message has arrived, and back up after ``seconds`` (a benchmark's outage; the n-th message is answered
first). ``messages_per_connection`` closes each connection after so many messages, as some relays do.

Used by the ``smtp_server`` fixture (tests/conftest.py), which points Django's SMTP backend at it, and by the
benchmarks: ``from tests.smtp_server import SMTPTestServer``.
"""

import asyncio
import email
import logging
import socket
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

HOST = "127.0.0.1"

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Arrived:
    """One message the server accepted."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def body(self) -> str:
        return self.message.get_content()

    @property
    def to(self) -> str:
        return self.rcpt_tos[0]


class _Handler:
    def __init__(self, server: "SMTPTestServer") -> None:
        self.server = server

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
        verdict = self.server._verdict(address)
        if verdict:
            return verdict
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):
        # No await between recording and answering: the server never goes down in between.
        self.server._record(envelope)
        limit = self.server.messages_per_connection
        if limit:
            session.berjasa_messages = getattr(session, "berjasa_messages", 0) + 1
            if session.berjasa_messages >= limit:  # answered, then the connection is closed
                asyncio.get_running_loop().call_soon(smtp.transport.close)
        return "250 2.0.0 OK: queued"


class _Controller(Controller):
    """aiosmtpd's controller, remembering the sessions it opened so ``stop`` can close them."""

    def __init__(self, handler, port: int, sessions: set) -> None:
        super().__init__(handler, hostname=HOST, port=port, ready_timeout=10)
        self.sessions = sessions

    def factory(self):
        smtp = SMTP(self.handler, **self.SMTP_kwargs)
        self.sessions.add(smtp)
        return smtp


class SMTPTestServer:
    def __init__(self, port: int | None = None) -> None:
        self.host = HOST
        self.port = port or free_port()
        self._lock = threading.Lock()
        self._arrived: list[Arrived] = []
        self._refused: dict[str, str] = {}
        self._temporary_left = 0
        self._temporary_until = 0.0
        self._stop_after: tuple[int, float] | None = None
        self._sessions: set = set()
        self._controller: _Controller | None = None
        self.outages = 0
        # Close a connection after this many messages, as some relays do (None: never).
        self.messages_per_connection: int | None = None
        self.outage_over = threading.Event()
        self.outage_over.set()

    # --- running ---------------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> "SMTPTestServer":
        assert self._controller is None, "the test SMTP server is already running"
        self._sessions = set()
        controller = _Controller(_Handler(self), self.port, self._sessions)
        for attempt in range(50):  # the port may take a moment to be free again after a stop
            try:
                controller.start()
                break
            except OSError:
                if attempt == 49:
                    raise
                time.sleep(0.1)
                controller = _Controller(_Handler(self), self.port, self._sessions)
        self._controller = controller
        return self

    def stop(self) -> None:
        """Stop listening and close every open connection, as a server going down."""
        controller = self._controller
        if controller is None:
            return
        self._controller = None

        async def close_everything():
            if controller.server is not None:
                controller.server.close()
            for smtp in list(self._sessions):
                transport = getattr(smtp, "transport", None)
                if transport is not None:
                    transport.close()
            await asyncio.sleep(0.05)

        if controller.loop.is_running():
            asyncio.run_coroutine_threadsafe(close_everything(), controller.loop).result(5)
        controller.stop()

    def __enter__(self) -> "SMTPTestServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- behaviour -------------------------------------------------------------------------------------------

    def refuse(self, address: str, reason: str = "5.1.1 Recipient address rejected: User unknown"):
        """Answer 550 to ``address`` as a recipient, from now on."""
        with self._lock:
            self._refused[address.lower()] = f"550 {reason}"

    def answer_451(self, *, times: int | None = None, seconds: float | None = None) -> None:
        """Answer "451 try again later" to the next ``times`` recipients, or to all for ``seconds``."""
        with self._lock:
            self._temporary_left = times or 0
            self._temporary_until = time.monotonic() + seconds if seconds else 0.0

    def stop_after(self, count: int, seconds: float) -> None:
        """Go down once the ``count``-th message has arrived (after answering it), up again ``seconds`` later."""
        self._stop_after = (count, seconds)

    def _verdict(self, address: str) -> str | None:
        with self._lock:
            if address.lower() in self._refused:
                return self._refused[address.lower()]
            if self._temporary_left > 0:
                self._temporary_left -= 1
                return "451 4.3.0 Try again later"
            if time.monotonic() < self._temporary_until:
                return "451 4.3.0 Try again later"
        return None

    def _record(self, envelope) -> None:
        """In the server's loop: keep the message; go down after answering it if that was asked for."""
        message = email.message_from_bytes(envelope.original_content, policy=default_policy)
        with self._lock:
            self._arrived.append(Arrived(envelope.mail_from, tuple(envelope.rcpt_tos), message))
            count = len(self._arrived)
        if self._stop_after and count == self._stop_after[0]:
            _count, seconds = self._stop_after
            self._stop_after = None
            self.outage_over.clear()
            # Runs once this answer is written: no message is accepted after it, none is left unanswered.
            asyncio.get_running_loop().call_soon(self._go_down, seconds)

    def _go_down(self, seconds: float) -> None:
        controller = self._controller
        if controller is not None and controller.server is not None:
            controller.server.close()
        for smtp in list(self._sessions):
            transport = getattr(smtp, "transport", None)
            if transport is not None:
                transport.close()
        threading.Thread(target=self._outage, args=(seconds,), daemon=True).start()

    def _outage(self, seconds: float) -> None:
        self.stop()
        self.outages += 1
        time.sleep(seconds)
        self.start()
        self.outage_over.set()

    # --- what arrived ----------------------------------------------------------------------------------------

    @property
    def arrived(self) -> list[Arrived]:
        with self._lock:
            return list(self._arrived)

    def arrived_for(self, address: str) -> list[Arrived]:
        return [item for item in self.arrived if address.lower() in map(str.lower, item.rcpt_tos)]

    def message_ids(self) -> list[str]:
        return [item.message_id for item in self.arrived]

    def clear(self) -> None:
        with self._lock:
            self._arrived.clear()
