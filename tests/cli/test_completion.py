"""Shell completion through click's own mechanism (issue 18, point 3), as docs/operating.md
tells operators to set it up: the shell asks `naboskap` with `_NABOSKAP_COMPLETE`."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _ask(env: dict[str, str]) -> str:
    # The installed console script is a `main()` call; `python -m bot` is the same entry point.
    clean = {k: v for k, v in os.environ.items() if not k.startswith("_NABOSKAP")}
    result = subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main(prog_name='naboskap')"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


@pytest.mark.parametrize(
    ("shell", "marker"),
    [("bash", "complete -o nosort -F"), ("zsh", "compdef"), ("fish", "complete --no-files")],
)
def test_each_shell_gets_its_script(shell: str, marker: str):
    script = _ask({"_NABOSKAP_COMPLETE": f"{shell}_source"})
    assert marker in script and "_NABOSKAP_COMPLETE" in script


def test_commands_subcommands_and_choices_complete():
    def bash(words: str) -> list[str]:
        cword = str(len(words.split()) - (0 if words.endswith(" ") else 1))
        answer = _ask(
            {"_NABOSKAP_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": cword}
        )
        return [line.split(",", 1)[1] for line in answer.splitlines()]

    assert bash("naboskap ev") == ["event"]
    assert {"add", "import"} <= set(bash("naboskap event "))
    assert bash("naboskap resident add --language f") == ["fa_AF"]
    assert "--dry-run" in bash("naboskap event import --d")
