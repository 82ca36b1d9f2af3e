"""`naboskap network`: create, list, import from TOML, edit, archive and restore networks, as the
operator (every change goes through `bot.services.networks`, which checks it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.command import NAME, TEXT, Failure, run, settings, with_session

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.services import networks


class NetworkKinds(click.Choice[str]):
    """The values of `db.models.NetworkKind`, read when a command line is parsed or a command's
    help is shown rather than when this module is imported: the models load SQLAlchemy, which
    would be most of what `naboskap --help` waits for."""

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        from db.models import NetworkKind

        return tuple(kind.value for kind in NetworkKind)

    @choices.setter
    def choices(self, _: tuple[str, ...]) -> None:
        """click.Choice sets its choices on creation; these come from the model instead."""


KINDS = NetworkKinds()


@click.group()
def network() -> None:
    """Create, list, import, edit and archive networks."""


@network.command("add")
@click.argument("slug", type=TEXT)
@click.argument("name", type=NAME)
@click.option("--kind", type=KINDS, default="area", show_default=True)
@click.option("--description", type=TEXT, default="", help="Who it is for and where.")
@click.option("--invite-code", type=TEXT, default=None, help="Make it invite-only with this code.")
def network_add(slug: str, name: str, kind: str, description: str, invite_code: str | None) -> None:
    """Create a network called NAME with the short id SLUG (used in join links)."""
    from bot.services import networks
    from bot.services.actors import Actor
    from db.models import NetworkKind

    async def work(session: AsyncSession) -> networks.NetworkView:
        return await networks.create_network(
            session,
            Actor.operator(),
            name=name,
            slug=slug,
            kind=NetworkKind(kind),
            description=description,
            invite_code=invite_code,
        )

    view = run(with_session(settings(), work))
    click.echo(f"created {view.slug}: {view.name} ({view.kind.value}, {view.join_policy.value})")


@network.command("list")
@click.option("--all", "include_archived", is_flag=True, help="Include archived networks.")
def network_list(include_archived: bool) -> None:
    """List networks with their member counts and the languages their texts are also in."""
    from bot.services import networks
    from bot.services.actors import Actor

    async def work(
        session: AsyncSession,
    ) -> tuple[list[networks.NetworkView], dict[int, list[str]]]:
        actor = Actor.operator()
        views = await networks.list_networks(session, actor, include_archived=True)
        return views, await networks.text_locales(session, actor)

    views, languages = run(with_session(settings(), work))
    shown = [v for v in views if include_archived or not v.archived]
    if not shown:
        click.echo("no networks yet: `naboskap network add` or `naboskap network import`")
    for v in shown:
        flags = [v.kind.value, v.join_policy.value] + (["archived"] if v.archived else [])
        code = f" code={v.invite_code}" if v.invite_code else ""
        also = f" texts={','.join(languages[v.id])}" if languages.get(v.id) else ""
        click.echo(
            f"{v.slug:<20} {v.name:<28} {v.member_count:>6} members  {', '.join(flags)}{code}{also}"
        )


@network.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--only-new", is_flag=True, help="Add missing networks; leave existing ones alone.")
def network_import(file: Path, only_new: bool) -> None:
    """Create or update networks from a TOML FILE ([[network]] tables, keyed by slug, with
    [network.texts.<language>] tables for their name and description in other languages)."""
    from bot.services import networks
    from bot.services.actors import Actor

    try:
        specs = networks.parse_network_file(file.read_text(encoding="utf-8"))
    except ValueError as error:
        raise Failure(f"{file}: {error}") from None

    async def work(session: AsyncSession) -> networks.ImportReport:
        return await networks.import_networks(session, Actor.operator(), specs, update=not only_new)

    report = run(with_session(settings(), work))
    unchanged = len(specs) - len(report.created) - len(report.updated)
    click.echo(
        f"created {len(report.created)}, updated {len(report.updated)}, unchanged {unchanged}"
    )


@network.command("edit")
@click.argument("slug")
@click.option("--name", type=NAME, default=None)
@click.option("--description", type=TEXT, default=None)
@click.option("--kind", type=KINDS, default=None)
@click.option("--invite-code", type=TEXT, default=None, help="Make it invite-only with this code.")
@click.option("--open", "make_open", is_flag=True, help="Let anyone join (drops the code).")
def network_edit(
    slug: str,
    name: str | None,
    description: str | None,
    kind: str | None,
    invite_code: str | None,
    make_open: bool,
) -> None:
    """Change a network's name, description, kind or join policy."""
    from bot.services import networks
    from bot.services.actors import Actor
    from db.models import JoinPolicy, NetworkKind

    async def work(session: AsyncSession) -> networks.NetworkView:
        actor = Actor.operator()
        view = await networks.find_by_slug(session, actor, slug)
        return await networks.edit_network(
            session,
            actor,
            view.id,
            name=name,
            description=description,
            kind=NetworkKind(kind) if kind else None,
            invite_code=invite_code,
            join_policy=JoinPolicy.OPEN if make_open else None,
        )

    view = run(with_session(settings(), work))
    click.echo(f"updated {view.slug}: {view.name} ({view.kind.value}, {view.join_policy.value})")


def _archive_command(archived: bool) -> Callable[[str], None]:
    def command(slug: str) -> None:
        from bot.services import networks
        from bot.services.actors import Actor

        async def work(session: AsyncSession) -> networks.NetworkView:
            actor = Actor.operator()
            view = await networks.find_by_slug(session, actor, slug)
            return await networks.set_archived(session, actor, view.id, archived)

        view = run(with_session(settings(), work))
        click.echo(f"{view.slug} is {'archived' if view.archived else 'open again'}")

    return command


network.command("archive", help="Archive a network: hidden, no new members, members kept.")(
    click.argument("slug")(_archive_command(True))
)
network.command("restore", help="Bring an archived network back.")(
    click.argument("slug")(_archive_command(False))
)
