"""Files the bot uploads, with their content type.

aiogram sends every upload as `application/octet-stream`: its form part gets only a file name.
Telegram takes a document's MIME type from the part's Content-Type, so a calendar file sent
that way arrives as an unknown binary, and a phone offers to save it rather than to add it to
the calendar. A `TypedFile` carries its type, and `JsonBodySession.build_form_data` puts it on
the part.
"""

from __future__ import annotations

from aiogram.types import BufferedInputFile


class TypedFile(BufferedInputFile):
    """Bytes to upload under `filename`, sent as `content_type` (e.g. `text/calendar`)."""

    def __init__(self, data: bytes, filename: str, content_type: str) -> None:
        super().__init__(data, filename=filename)
        self.content_type = content_type
