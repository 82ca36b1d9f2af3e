"""Polls: a host (for a network they host) or a coordinator (for any network, or everyone)
asks a question with 2–6 options; residents answer once each, by button or by SMS number, and
may change their answer until the poll closes; at closing those who answered and the creator
are told the results (with a bar chart on Telegram), the creator with the split by language
and channel, never for a group under `MIN_GROUP_SIZE`.

The public API is importable from here; the modules hold one side each: what the services
return (`views`), the creator's side (`creating`), how a poll reads (`notices`), the
resident's side (`answering`), the results (`results`), closing (`closing`), the chart
(`chart`), the operator's lists (`overview`), and /mydata and /forget (`privacy`).
"""

from __future__ import annotations

from bot.services.polls.answering import (
    OTHER_MAX,
    answer_other,
    choose,
    closed_polls,
    get,
    may_answer_other,
    open_polls,
    vote,
)
from bot.services.polls.chart import ChartFiles, attachment_name, chart_for
from bot.services.polls.closing import close, close_due, close_now
from bot.services.polls.creating import (
    OPTION_MAX,
    OPTIONS_MAX,
    OPTIONS_MIN,
    QUESTION_MAX,
    PollDraft,
    askable_networks,
    audience,
    audience_size,
    clean_option,
    clean_question,
    may_ask,
    publish,
)
from bot.services.polls.notices import option_buttons, poll_card
from bot.services.polls.overview import operator_results, operator_rows
from bot.services.polls.results import PollResults, for_actor, get_for_staff, results_text
from bot.services.polls.views import PollView

__all__ = [
    "OPTIONS_MAX",
    "OPTIONS_MIN",
    "OPTION_MAX",
    "OTHER_MAX",
    "QUESTION_MAX",
    "ChartFiles",
    "PollDraft",
    "PollResults",
    "PollView",
    "answer_other",
    "askable_networks",
    "attachment_name",
    "audience",
    "audience_size",
    "chart_for",
    "choose",
    "clean_option",
    "clean_question",
    "close",
    "close_due",
    "close_now",
    "closed_polls",
    "for_actor",
    "get",
    "get_for_staff",
    "may_answer_other",
    "may_ask",
    "open_polls",
    "operator_results",
    "operator_rows",
    "option_buttons",
    "poll_card",
    "publish",
    "results_text",
    "vote",
]
