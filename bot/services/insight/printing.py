"""The report as PDF, printed by the Debian Chromium already on the machine (and in CI):
`chromium --headless --print-to-pdf`. Nothing is downloaded; where Chromium is missing the
operator is told how to get it.

Chromium reads the page from a file in a temporary directory, with a fresh profile there too,
and with networking it does not need turned off: the page is self-contained (inline CSS,
charts as data URIs), so printing reaches for nothing outside the file."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

# Where Debian puts it first; the other names are other distributions' and Google's.
BROWSERS = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
TIMEOUT = 120.0  # seconds: a year of charts prints in a few; only a hung browser takes this
FLAGS = (
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",  # no file path and date printed on every page
)


class PrintFailed(Exception):
    """The PDF could not be made; the message says why, in an operator's words."""


def find_browser(names: tuple[str, ...] | None = None) -> str | None:
    """The first of `names` (else `BROWSERS`) that is installed, as a path."""
    for name in names or BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(
    page: str, pdf: Path, *, browser: str | None = None, timeout: float = TIMEOUT
) -> None:
    """Print the HTML `page` to the file `pdf` (blocking: Chromium runs as a subprocess)."""
    browser = browser or find_browser()
    if browser is None:
        raise PrintFailed(
            "--pdf needs Chromium, which is not installed: `apt-get install chromium` "
            "(Debian), or write the HTML only"
        )
    with tempfile.TemporaryDirectory(prefix="naboskap-report-") as work:
        folder = Path(work)
        source = folder / "report.html"
        source.write_text(page, encoding="utf-8")
        printed = folder / "report.pdf"
        command = [
            browser,
            *FLAGS,
            f"--user-data-dir={folder / 'profile'}",
            f"--print-to-pdf={printed}",
            source.as_uri(),
        ]
        if os.geteuid() == 0:
            # Chromium refuses to start as root with its sandbox (containers, CI); the page is
            # our own file with no scripts, so there is nothing to contain.
            command.insert(1, "--no-sandbox")
        try:
            done = subprocess.run(  # noqa: S603 - our own arguments, no shell
                command, capture_output=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise PrintFailed(f"Chromium did not finish printing within {timeout:.0f} s") from None
        except OSError as error:
            raise PrintFailed(f"Chromium could not be started ({error.strerror})") from None
        if done.returncode != 0 or not printed.exists() or not _is_pdf(printed):
            raise PrintFailed(f"Chromium could not print the report (exit code {done.returncode})")
        pdf.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(printed, pdf)


def _is_pdf(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(5) == b"%PDF-"
