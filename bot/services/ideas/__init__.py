"""Ideas (issue 15): residents propose ideas for their network in any language, neighbours
support them (one support each), and the hosts answer — a status and a reason in their own words
that reaches every supporter — merge duplicates, forward them to the coordinators, and hide
what was reported. "You said, we did."

One module per concept: `views` (an idea as residents see it), `access` (who may do what),
`proposing` (writing one, and the lists), `supporting`, `answering` (status, merge, forward),
`moderation` (report and hide), `listing` (the operator's list) and `privacy` (/mydata and
/forget). The public API is importable from here.
"""

from __future__ import annotations

from bot.services.ideas.access import may_answer, require_answerer
from bot.services.ideas.answering import forward, merge, merge_candidates, set_status
from bot.services.ideas.listing import operator_rows
from bot.services.ideas.moderation import hide, report
from bot.services.ideas.proposing import (
    IdeaPage,
    clean_text,
    idea,
    ideas_page,
    may_propose,
    open_count,
    propose,
)
from bot.services.ideas.supporting import Support, set_support
from bot.services.ideas.views import (
    ANSWERS,
    REASON_MAX,
    TEXT_MAX,
    IdeaView,
    in_reader_language,
    status_label,
)

__all__ = [
    "ANSWERS",
    "REASON_MAX",
    "TEXT_MAX",
    "IdeaPage",
    "IdeaView",
    "Support",
    "clean_text",
    "forward",
    "hide",
    "idea",
    "ideas_page",
    "in_reader_language",
    "may_answer",
    "may_propose",
    "merge",
    "merge_candidates",
    "open_count",
    "operator_rows",
    "propose",
    "report",
    "require_answerer",
    "set_status",
    "set_support",
    "status_label",
]
