"""Networks: finding, joining and leaving them; coordinators' management of networks and
hosts; reach; importing them from a file. The public API is importable from here."""

from __future__ import annotations

from bot.services.networks.hosts import members, set_host, set_host_by_telegram_id, toggle_host
from bot.services.networks.imports import (
    ImportReport,
    NetworkSpec,
    import_networks,
    parse_network_file,
)
from bot.services.networks.managing import (
    CODE_ALPHABET,
    DESCRIPTION_MAX,
    FOLD,
    INVITE_CODE,
    NAME_MAX,
    SLUG,
    SLUG_MAX,
    check_code,
    clean_text,
    create_network,
    edit_network,
    new_invite_code,
    set_archived,
    slugify,
)
from bot.services.networks.membership import (
    JoinAttempt,
    attempt_join,
    find_by_slug,
    get_network,
    join,
    leave,
    list_networks,
    lookup_slug,
)
from bot.services.networks.reach import network_reach, reach
from bot.services.networks.views import (
    JoinResult,
    MemberPage,
    MemberView,
    NetworkView,
    ReachRow,
    network_row,
    view_of,
)

__all__ = [
    "CODE_ALPHABET",
    "DESCRIPTION_MAX",
    "FOLD",
    "INVITE_CODE",
    "NAME_MAX",
    "SLUG",
    "SLUG_MAX",
    "ImportReport",
    "JoinAttempt",
    "JoinResult",
    "MemberPage",
    "MemberView",
    "NetworkSpec",
    "NetworkView",
    "ReachRow",
    "attempt_join",
    "check_code",
    "clean_text",
    "create_network",
    "edit_network",
    "find_by_slug",
    "get_network",
    "import_networks",
    "join",
    "leave",
    "list_networks",
    "lookup_slug",
    "members",
    "network_reach",
    "network_row",
    "new_invite_code",
    "parse_network_file",
    "reach",
    "set_archived",
    "set_host",
    "set_host_by_telegram_id",
    "slugify",
    "toggle_host",
    "view_of",
]
