"""The operator's command line: settings errors, the database, networks and roles."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.catalog_maintenance import PROJECT
from bot.cli import main
from bot.fake_bot_api.server import DEFAULT_TOKEN

EXAMPLE = PROJECT / "examples" / "larvik.toml"


def _naboskap(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("BOT_TOKEN", "DATABASE_URL", "COORDINATOR_IDS")
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_help_lists_the_subcommands():
    result = CliRunner().invoke(main, ["--help"])
    for command in ("run", "db", "network", "host", "coordinator", "i18n"):
        assert command in result.output


@pytest.mark.slow
@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "BOT_TOKEN"),
        ({"BOT_TOKEN": "not-a-token"}, "BOT_TOKEN"),
        ({"BOT_TOKEN": DEFAULT_TOKEN, "COORDINATOR_IDS": "12,abc"}, "COORDINATOR_IDS"),
        ({"BOT_TOKEN": DEFAULT_TOKEN, "TIMEZONE": "Mars/Olympus"}, "TIMEZONE"),
        ({"BOT_TOKEN": DEFAULT_TOKEN, "DEFAULT_LOCALE": "xx"}, "DEFAULT_LOCALE"),
        ({"BOT_TOKEN": DEFAULT_TOKEN, "DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"BOT_TOKEN": DEFAULT_TOKEN, "WEBHOOK_LISTEN": "nowhere"}, "WEBHOOK_LISTEN"),
    ],
)
def test_a_bad_setting_gives_one_line_and_no_traceback(
    tmp_path: Path, env: dict[str, str], named: str
):
    result = _naboskap("run", env=env, cwd=tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_webhook_mode_names_the_missing_webhook_setting(tmp_path: Path):
    result = _naboskap("run", "--webhook", env={"BOT_TOKEN": DEFAULT_TOKEN}, cwd=tmp_path)
    assert result.returncode != 0
    assert "WEBHOOK_URL" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_settings_are_read_from_a_dotenv_file(tmp_path: Path):
    (tmp_path / ".env").write_text("BOT_TOKEN=oops\n")
    result = _naboskap("run", env={}, cwd=tmp_path)
    assert "BOT_TOKEN is invalid" in result.stderr


@pytest.mark.slow
def test_the_bot_refuses_a_database_that_is_behind(tmp_path: Path):
    env = {"BOT_TOKEN": DEFAULT_TOKEN, "TELEGRAM_API_BASE": "http://127.0.0.1:9"}
    result = _naboskap("run", env=env, cwd=tmp_path)
    assert result.returncode != 0
    assert "naboskap db upgrade" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_db_upgrade_creates_and_current_reports(tmp_path: Path):
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'new.db'}"}
    assert _naboskap("db", "current", env=env, cwd=tmp_path).stdout.count("behind") == 1
    result = _naboskap("db", "upgrade", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "up to date" in _naboskap("db", "current", env=env, cwd=tmp_path).stdout


def test_network_commands(cli):
    result = cli("network", "add", "torstrand", "Torstrand", "--description", "Naboer på Torstrand")
    assert result.exit_code == 0 and "created torstrand" in result.output
    result = cli(
        "network",
        "add",
        "frivillige",
        "Frivillige",
        "--kind",
        "interest",
        "--invite-code",
        "ABCD1234",
    )
    assert "invite" in result.output
    duplicate = cli("network", "add", "torstrand", "Torstrand igjen")
    assert duplicate.exit_code != 0 and "slug is already taken" in duplicate.output
    listing = cli("network", "list").output
    assert "torstrand" in listing and "code=ABCD1234" in listing
    assert cli("network", "edit", "torstrand", "--name", "Torstrand og omegn").exit_code == 0
    assert cli("network", "archive", "frivillige").exit_code == 0
    assert "frivillige" not in cli("network", "list").output
    assert "archived" in cli("network", "list", "--all").output
    assert cli("network", "restore", "frivillige").exit_code == 0
    missing = cli("network", "archive", "nowhere")
    assert missing.exit_code != 0 and "not found" in missing.output


def test_network_import_is_idempotent(cli):
    first = cli("network", "import", str(EXAMPLE))
    assert first.exit_code == 0
    assert first.output.startswith("created 16, updated 0")
    second = cli("network", "import", str(EXAMPLE))
    assert "created 0, updated 0, unchanged 16" in second.output
    listing = cli("network", "list").output
    assert "ostre-halsen" in listing
    assert "Østre Halsen" in listing
    assert "Tjølling" in listing
    cli("network", "edit", "sentrum", "--name", "Larvik sentrum")
    assert "unchanged 16" in cli("network", "import", "--only-new", str(EXAMPLE)).output
    assert "Larvik sentrum" in cli("network", "list").output
    assert "updated 1" in cli("network", "import", str(EXAMPLE)).output


def test_a_broken_import_file_is_refused(cli, tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[[network]]\nname = 'No slug'\n")
    result = cli("network", "import", str(bad))
    assert result.exit_code != 0
    assert "lacks 'slug'" in result.output


def test_roles_from_the_command_line(cli):
    cli("network", "add", "torstrand", "Torstrand")
    result = cli("host", "add", "torstrand", "4242")
    assert result.exit_code == 0 and "4242 is now a host of torstrand" in result.output
    assert "no change" in cli("host", "add", "torstrand", "4242").output
    assert "1 members" in cli("network", "list").output
    assert "is no longer a host" in cli("host", "remove", "torstrand", "4242").output
    assert "is now a coordinator" in cli("coordinator", "add", "4343").output
    assert "is no longer a coordinator" in cli("coordinator", "remove", "4343").output
    assert cli("host", "add", "nowhere", "1").exit_code != 0


def test_reach_export(cli, database_url):
    import asyncio

    from bot.services import networks as svc
    from bot.services.actors import Actor
    from db.queries import residents as rq
    from db.session import create_engine, create_sessionmaker

    cli("network", "add", "torstrand", "Torstrand")
    cli("host", "add", "torstrand", "4242")

    async def give_language() -> None:
        engine = create_engine(database_url)
        async with create_sessionmaker(engine)() as session:
            await rq.update_profile(session, 4242, "uk", "Olena")
            await session.commit()
            assert (await svc.reach(session, Actor.operator()))[0].total == 1
        await engine.dispose()

    asyncio.run(give_language())
    assert "torstrand" in cli("reach").output
    assert "uk 1" in cli("reach").output
    lines = cli("reach", "--csv").output.splitlines()
    assert lines[0] == "network,name,language,members,unreachable_in_network"
    assert lines[1] == "torstrand,Torstrand,uk,1,0"


def test_events_from_the_command_line(cli):
    cli("network", "add", "torstrand", "Torstrand")
    result = cli(
        "event",
        "add",
        "--network",
        "torstrand",
        "--title",
        "Dugnad",
        "--starts",
        "2099-05-02 11:00",
        "--ends",
        "2099-05-02 14:00",
        "--place",
        "Torget",
        "--description",
        "Ta med hansker",
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("event 1 published to 0 members")
    bad = cli("event", "add", "--network", "torstrand", "--title", "X", "--starts", "i morgen")
    assert bad.exit_code != 0
    assert "2026-12-03 18:00" in bad.output
    past = cli(
        "event", "add", "--network", "torstrand", "--title", "X", "--starts", "2001-01-01 10:00"
    )
    assert past.exit_code != 0
    calendar = PROJECT / "tests" / "data" / "larvik-events.ics"
    first = cli("event", "import", str(calendar), "--network", "torstrand")
    assert first.exit_code == 0, first.output
    again = cli("event", "import", str(calendar), "--network", "torstrand")
    assert "created 0, updated 0" in again.output
    broken = cli("event", "import", str(EXAMPLE), "--network", "torstrand")
    assert broken.exit_code != 0


def test_text_typed_on_the_command_line_is_cleaned(cli, tmp_path: Path):
    created = cli("network", "add", "torstrand", "Tor\x00strand\u202e", "--description", "Nord\x07")
    assert created.exit_code == 0, created.output
    imported = tmp_path / "networks.toml"
    imported.write_text('[[network]]\nslug = "sentrum"\nname = "Sen\\u0000trum\\u2066"\n')
    assert cli("network", "import", str(imported)).exit_code == 0
    listing = cli("network", "list").output
    assert "Torstrand" in listing and "Sentrum" in listing
    assert "\x00" not in listing and "\u202e" not in listing and "\u2066" not in listing


@pytest.mark.parametrize("telegram_id", ["0", "-5", str(2**52), "999999999999999999999"])
def test_a_telegram_id_out_of_range_is_refused_before_any_query(cli, telegram_id: str):
    cli("network", "add", "torstrand", "Torstrand")
    for args in (("host", "add", "torstrand"), ("coordinator", "add")):
        result = cli(*args, "--", telegram_id)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
