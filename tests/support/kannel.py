"""A real Kannel on loopback for tests: bearerbox, smsbox and fakesmsc (Debian's `kannel` and
`kannel-extras`) started from kannel.conf.template beside this module on free ports of 127.0.0.1.

`kannel` (one per test session) is the running Kannel: send through its sendsms URL, see what
fakesmsc received with `wait_mt`, play a resident with `inject`. Kannel calls back (get-url and
dlr-url) on `kannel.receiver_port`; `kannel_receiver` serves that port with a small aiohttp app
that records every callback as a `GatewayRequest`.

What fakesmsc does, learnt from its source and by trying (Kannel 1.4.5):
- It prints what it receives on stderr, as log lines `Got message N: <from to type data>`;
  stdout stays empty. Type `text` is printed raw (UTF-8), `ucs-2` as url-encoded UTF-16BE with
  `+` for a space, `udh` (a part of a long message) as `udh <udh> data <data>`, both encoded.
  It reads Kannel's connection line by line, so a 7-bit text with line breaks is printed as
  several "messages", the later ones without sender, receiver or type (and without any \r);
  the fixture joins them up again with \n.
- In interactive mode (no message on its command line) it reads stdin with fgets into a
  256-byte buffer (a longer line is cut, its rest a malformed line Kannel drops), and it reads
  what Kannel sent only when stdin has a line or after a second without one. An empty line is
  ignored but wakes it, so the fixture writes one every 0.1 s: what we send shows up at once
  rather than after a second.
- It selects on the stdin descriptor but reads through stdio: two lines arriving together
  leave the second in stdio's buffer until more input comes (the empty lines see to that), and
  `inject` waits for fakesmsc's `sent message N` before it returns.
- `-m 0` means send nothing at all (not "no limit"); interactive mode needs the default.
- An injected `text` message reaches get-url as coding=0, charset=UTF-8 (Cyrillic included);
  there is no way to inject a UCS-2 one (`ucs-2` is an output type only).
- Kannel answers 202 to sendsms even when `coding` is wrong for the text, so tests look at what
  fakesmsc printed, not at the status.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import re
import secrets
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from string import Template
from urllib.parse import unquote_to_bytes

import pytest
from aiohttp import web

from bot.channels.sms.gateway import GatewayRequest
from bot.channels.sms.transport import read_request
from tests.support.log_guard import personal, personal_phone
from tests.support.ports import reserved_ports

TEMPLATE = Path(__file__).with_name("kannel.conf.template")
FAKESMSC = Path("/usr/lib/kannel/test/fakesmsc")
MAX_LINE = 255  # fakesmsc's fgets buffer is 256 bytes, with the newline
_GOT = re.compile(rb"Got message \d+: <(.*)>\s*$")
_KINDS = (b"text", b"data", b"ucs-2", b"udh")
_SENT = re.compile(rb"fakesmsc: sent message (\d+)")


def _binary(name: str) -> str | None:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    return found


# Loaded here, in the parent: the child, between fork and exec, should only call into it.
_LIBC = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Runs in the child before exec: if the test process dies, so does the child (Linux's
    PR_SET_PDEATHSIG), so that no Kannel outlives a killed test run. "The parent" is the thread
    that started the child: the fixture starts them all from pytest's main thread."""
    with contextlib.suppress(AttributeError):
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _decode(value: bytes) -> bytes:
    # Kannel's url encoding writes a space as '+'; a real '+' is %2B.
    return unquote_to_bytes(value.replace(b"+", b" "))


@dataclass(frozen=True)
class FakeSmscMessage:
    """One message fakesmsc received from Kannel (an MT: from the bot to a phone)."""

    sender: str
    receiver: str
    kind: str  # text, data, ucs-2 or udh
    data: bytes
    udh: bytes = b""

    @classmethod
    def parse(cls, line: bytes) -> FakeSmscMessage:
        fields = line.split(b" ", 3)
        if len(fields) != 4 or fields[2] not in _KINDS:
            raise ValueError("not a message line")
        sender, receiver, kind, rest = fields
        udh = b""
        if kind == b"udh":
            encoded_udh, _, encoded_data = rest.partition(b" data ")
            udh, data = _decode(encoded_udh), _decode(encoded_data)
        elif kind in (b"ucs-2", b"data"):
            data = _decode(rest)
        else:
            data = rest
        return cls(sender.decode(), receiver.decode(), kind.decode(), data, udh)

    @property
    def text(self) -> str:
        """The text, for a whole message: UCS-2 is UTF-16BE; 7-bit text comes as UTF-8."""
        if self.kind == "ucs-2":
            return self.data.decode("utf-16-be")
        return self.data.decode("utf-8")

    @property
    def part(self) -> tuple[int, int, int]:
        """(reference, parts, number) from a concatenation header (IEI 0)."""
        if len(self.udh) < 6 or self.udh[1] != 0:
            raise ValueError("not a part of a concatenated message")
        return self.udh[3], self.udh[4], self.udh[5]


@dataclass
class KannelOnLoopback:
    directory: Path
    username: str = "naboskap"
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    admin_password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    ports: dict[str, int] = field(default_factory=dict)
    received: list[FakeSmscMessage] = field(default_factory=list)
    stderr: list[bytes] = field(default_factory=list)
    unreadable: list[bytes] = field(default_factory=list)  # what fakesmsc printed that we could not
    _processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _sent: int = 0
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _write: threading.Lock = field(default_factory=threading.Lock)
    # The ports stay reserved while Kannel runs (tests/support/ports.py): Kannel binds them with
    # SO_REUSEADDR, and the receiver port, served only while a test runs, is no one else's
    # in between (another pytest-xdist worker's server, say).
    _reservation: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['sendsms_port']}/cgi-bin/sendsms"

    @property
    def receiver_port(self) -> int:
        return self.ports["receiver_port"]

    @property
    def receiver_url(self) -> str:
        return f"http://127.0.0.1:{self.receiver_port}"

    # ---- starting and stopping

    def start(self, bearerbox: str, smsbox: str) -> None:
        for attempt in range(3):  # a Kannel that does not come up: try again on new ports
            names = ("admin_port", "smsbox_port", "smsc_port", "sendsms_port", "receiver_port")
            ports = self._reservation.enter_context(reserved_ports(len(names)))
            self.ports = dict(zip(names, ports, strict=True))
            config = self.directory / "kannel.conf"
            config.write_text(
                Template(TEMPLATE.read_text()).substitute(
                    self.ports,
                    directory=self.directory,
                    admin_password=self.admin_password,
                    username=self.username,
                    password=self.password,
                    secret=self.secret,
                ),
                encoding="utf-8",
            )
            try:
                self._spawn("bearerbox", [bearerbox, "-v", "1", str(config)])
                self._wait(lambda: "fake[fake]" in self.status(), "bearerbox", "bearerbox")
                self._spawn("smsbox", [smsbox, "-v", "1", str(config)])
                self._wait(lambda: "smsbox:" in self.status(), "smsbox to connect", "smsbox")
                self._start_fakesmsc()
                self._wait(lambda: "(online" in self.status(), "fakesmsc to connect", "fakesmsc")
                return
            except RuntimeError:
                self.stop()
                if attempt == 2:
                    raise

    def _spawn(self, name: str, command: list[str], **options: object) -> None:
        log = (self.directory / f"{name}.out").open("ab")
        self._processes[name] = subprocess.Popen(  # type: ignore[call-overload]
            command,
            cwd=self.directory,
            stdout=log,
            stderr=options.pop("stderr", log),
            stdin=options.pop("stdin", subprocess.DEVNULL),
            preexec_fn=_die_with_parent,
            **options,
        )
        log.close()

    def _start_fakesmsc(self) -> None:
        command = [str(FAKESMSC), "-H", "127.0.0.1", "-r", str(self.ports["smsc_port"])]
        # -i 0: no pause after each injected message before reading what Kannel sent.
        self._spawn(
            "fakesmsc", [*command, "-i", "0"], stdin=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for target in (self._read_fakesmsc, self._wake_fakesmsc):
            threading.Thread(target=target, daemon=True, name=target.__name__).start()

    def _wake_fakesmsc(self) -> None:
        process = self._processes["fakesmsc"]
        assert process.stdin is not None
        while process.poll() is None:
            time.sleep(0.1)
            with self._write:
                try:
                    process.stdin.write(b"\n")
                    process.stdin.flush()
                except (OSError, ValueError):  # closed: fakesmsc is stopping
                    return

    def _read_fakesmsc(self) -> None:
        stream = self._processes["fakesmsc"].stderr
        assert stream is not None
        for line in iter(stream.readline, b""):
            with self._changed:
                self.stderr.append(line)
                if got := _GOT.search(line):
                    self._took(got.group(1))
                elif sent := _SENT.search(line):
                    self._sent = int(sent.group(1))
                self._changed.notify_all()

    def _took(self, content: bytes) -> None:
        try:
            self.received.append(FakeSmscMessage.parse(content))
            return
        except ValueError:
            pass
        # fakesmsc reads Kannel's connection line by line, so a 7-bit text with line breaks
        # comes as the message and then one "message" per further line (without its \r).
        last = self.received[-1] if self.received else None
        if last is None or last.kind != "text":
            self.unreadable.append(content)
        else:
            self.received[-1] = replace(last, data=last.data + b"\n" + content)

    def status(self) -> str:
        port, password = self.ports["admin_port"], self.admin_password
        url = f"http://127.0.0.1:{port}/status.txt?password={password}"
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return str(response.read().decode("utf-8", "replace"))
        except (urllib.error.URLError, OSError):
            return ""

    def _wait(
        self, ready: Callable[[], bool], what: str, process: str, timeout: float = 10
    ) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if self._processes[process].poll() is not None:
                raise RuntimeError(f"{process} exited; see {self.directory}/{process}.out")
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out waiting for {what}; see {self.directory}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop everything we started, fakesmsc first (so Kannel has no client to wait for),
        politely and then by force."""
        for name in ("fakesmsc", "smsbox", "bearerbox"):
            process = self._processes.pop(name, None)
            if process is None:
                continue
            if process.stdin is not None:
                with self._write, contextlib.suppress(OSError):
                    process.stdin.close()
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=3)
            if process.stderr is not None:
                process.stderr.close()
        self._reservation.close()

    # ---- playing the phone network

    def inject(self, sender: str, receiver: str, text: str, kind: str = "text") -> None:
        """A resident's message: fakesmsc hands it to Kannel as if from the network."""
        personal_phone(sender)
        personal(text)
        line = f"{sender} {receiver} {kind} {text}".encode()
        if b"\n" in line or len(line) + 1 > MAX_LINE:
            raise ValueError(f"fakesmsc takes one line of at most {MAX_LINE - 1} bytes")
        process = self._processes["fakesmsc"]
        assert process.stdin is not None
        with self._write, self._changed:
            before = self._sent
            process.stdin.write(line + b"\n")
            process.stdin.flush()
            # A wait, not a measure: it returns as soon as fakesmsc has it. 5 s was too short
            # once on a busy CI machine (two test workers and PostgreSQL beside Kannel).
            if not self._changed.wait_for(lambda: self._sent > before, timeout=30):
                raise TimeoutError("fakesmsc did not take the message")

    def wait_mt(self, to: str, count: int = 1, timeout: float = 10) -> list[FakeSmscMessage]:
        """The first `count` messages fakesmsc received for `to`, waiting for them."""

        def found() -> list[FakeSmscMessage]:
            return [m for m in self.received if m.receiver == to]

        with self._changed:
            if not self._changed.wait_for(lambda: len(found()) >= count, timeout=timeout):
                raise TimeoutError(f"fakesmsc got {len(found())} of {count} message(s) for {to}")

            # The further lines of a text with line breaks follow at once: wait for a quiet
            # moment, so that the message is returned whole.
            def more_than(lines: int) -> Callable[[], bool]:
                return lambda: len(self.stderr) > lines

            seen = -1
            while seen != len(self.stderr):
                seen = len(self.stderr)
                self._changed.wait_for(more_than(seen), timeout=0.1)
            return found()[:count]


@pytest.fixture(scope="session")
def kannel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KannelOnLoopback]:
    bearerbox, smsbox = _binary("bearerbox"), _binary("smsbox")
    if bearerbox is None or smsbox is None or not FAKESMSC.exists():
        pytest.skip(
            "Kannel is not installed (bearerbox, smsbox, /usr/lib/kannel/test/fakesmsc): "
            "apt-get install kannel kannel-extras"
        )
    running = KannelOnLoopback(tmp_path_factory.mktemp("kannel"))
    try:
        running.start(bearerbox, smsbox)
        yield running
    finally:
        running.stop()


@dataclass
class Receiver:
    """What Kannel called back with, per path, as the gateway adapter will see it."""

    requests: dict[str, list[GatewayRequest]] = field(default_factory=dict)

    async def wait(
        self,
        path: str,
        matching: Callable[[GatewayRequest], bool] = lambda _: True,
        count: int = 1,
        timeout: float = 10,
    ) -> list[GatewayRequest]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            found = [r for r in self.requests.get(path, []) if matching(r)]
            if len(found) >= count:
                return found[:count]
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{len(found)} of {count} call(s) to {path}")
            await asyncio.sleep(0.02)


@pytest.fixture
async def kannel_receiver(kannel: KannelOnLoopback) -> AsyncIterator[Receiver]:
    """A small aiohttp app on the port Kannel's get-url and our dlr-urls point at."""
    receiver = Receiver()

    async def record(request: web.Request) -> web.Response:
        receiver.requests.setdefault(request.path, []).append(await read_request(request))
        return web.Response(text="")

    app = web.Application()
    app.router.add_get("/{tail:.*}", record)
    # access_log=None: aiohttp's access log would show the query, i.e. numbers and text.
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", kannel.receiver_port, reuse_address=True)
    await site.start()
    yield receiver
    await runner.cleanup()
