"""Building the insight: for a scope (all networks, or one) and a period, each figure's series
folded from per-day counts (`db.queries.insight`) into weeks or months, suppressed where a
group is too small (`privacy`), named in the reader's language, with the key figures of the
period's last step.

Coordinators see all networks or any one; a host sees only a network they host."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from types import MappingProxyType

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, PermissionDenied
from bot.services.insight import families
from bot.services.insight.figures import Figure, FigureKey, Insight, KeyFigure, Period
from bot.services.insight.periods import (
    chat_period,
    last_step_label,
    month_period,
    period_label,
    step_labels,
    steps,
)
from bot.services.insight.scope import Scope
from bot.services.networks.views import network_names, network_row
from db.models import MemberRole
from db.queries import insight as q

__all__ = ["Scope", "build", "chat_period", "month_period"]


Family = Callable[[AsyncSession, Scope, families.Shared], Awaitable[families.Built]]

_FAMILIES: Mapping[FigureKey, Family] = MappingProxyType(
    {
        FigureKey.MEMBERS: families.members,
        FigureKey.LANGUAGES: families.languages,
        FigureKey.CHANNELS: families.channels,
        FigureKey.NOTICES: families.notices,
        FigureKey.HELP: families.help_asked,
        FigureKey.EVENTS: families.events,
        FigureKey.POLLS: families.polls,
        FigureKey.VOLUNTEERING: families.volunteering,
    }
)


async def build(
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    period: Period,
    *,
    network_id: int | None = None,
    min_group: int = 5,
    keys: Collection[FigureKey] | None = None,
) -> Insight:
    """The figures (all, or those of `keys`, in the menu's order) for all networks or one,
    in `t`'s language; the key figures of the period's last step, of those figures'
    families. Coordinators may ask for any scope, a host for a network they host;
    `PermissionDenied` otherwise, `NotFound` for a network that is not there, `InvalidInput`
    for a period not on its steps' boundaries."""
    if min_group < 1:
        raise InvalidInput("min_group", "format")
    title = await _scope_title(session, actor, t, network_id)
    bounds = steps(period)
    scope = Scope(
        t=t,
        period=period,
        bounds=bounds,
        labels=step_labels(bounds, period.step, t),
        window=q.Window.of(session, period.start, period.end),
        network_id=network_id,
        min_group=min_group,
    )
    wanted = [key for key in FigureKey if keys is None or key in keys]
    shared = families.Shared()
    figures: list[Figure] = []
    key_figures: list[KeyFigure] = []
    for key in wanted:
        built = await _FAMILIES[key](session, scope, shared)
        figures.append(built.figure)
        key_figures.extend(built.key_figures)
    return Insight(
        title=title,
        period=period,
        period_label=period_label(period, t),
        figures=tuple(figures),
        key_figures=tuple(key_figures),
        locale=t.locale,
        rtl=t.rtl,
        key_period=last_step_label(period, t),
    )


async def _scope_title(
    session: AsyncSession, actor: Actor, t: Translator, network_id: int | None
) -> str:
    """ "All networks" for a coordinator; the network's name for one who may see it."""
    if network_id is None:
        actor.require_coordinator()
        return t.gettext("All networks")
    row = await network_row(session, actor, network_id)  # NotFound for no such network
    if not actor.is_coordinator and row.my_role is not MemberRole.HOST:
        raise PermissionDenied("host")
    names = await network_names(session, [network_id])
    return names[network_id].in_locale(t.locale)
