"""The monthly report as rows for `naboskap report --csv`: every number of every figure, then
the key figures, with column names that stay as they are (docs/insight.md).

One row per figure, series and label. `figure` and `start` are the same in every language
(the figure's key, the first day of a period); `series` and `label` are the names the report
shows in its language; `value` is the count, empty where it is suppressed (fewer than the
minimum group), and `shown` is what the report prints ("1 234", "< 5"). Key figures have
`figure` = "key" and only `label` and `shown`: some are not counts ("2.5 days", "83 %")."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from bot.i18n import Translator
from bot.services.insight.figures import Figure, Insight, Shape
from bot.services.insight.periods import steps
from bot.services.insight.privacy import shown

# Stable: scripts and spreadsheets read them by name (docs/insight.md).
REPORT_FIELDS = ("month", "figure", "series", "label", "start", "value", "shown")
KEY = "key"  # the `figure` of a key figure's row


def report_rows(insight: Insight, t: Translator, month: date) -> Iterator[dict[str, object]]:
    """The report's numbers as rows of `REPORT_FIELDS`, figure by figure in the report's
    order, then the key figures."""
    month_text = f"{month:%Y-%m}"
    starts = [first for first, _ in steps(insight.period)]
    for figure in insight.figures:
        yield from _figure_rows(figure, t, month_text, starts)
    for key in insight.key_figures:
        yield {
            "month": month_text,
            "figure": KEY,
            "series": None,
            "label": key.label,
            "start": None,
            "value": None,
            "shown": key.value,
        }


def _figure_rows(
    figure: Figure, t: Translator, month: str, starts: list[date]
) -> Iterator[dict[str, object]]:
    # Periods line up with the steps of the insight's period; categories (bars) have no start.
    by_period = figure.shape is not Shape.BARS and len(figure.labels) == len(starts)
    for series in figure.series:
        for index, (label, value) in enumerate(zip(figure.labels, series.values, strict=True)):
            yield {
                "month": month,
                "figure": figure.key.value,
                "series": series.name,
                "label": label,
                "start": starts[index] if by_period else None,
                "value": value,
                "shown": shown(value, t, figure.minimum),
            }
