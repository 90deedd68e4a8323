"""A streaming multipart parser that counts an upload as it passes, refusing it past the limits
(C3, X3). It keeps only counts and the handler's arguments, never file bytes."""

from __future__ import annotations

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from support_portal.settings import get_settings
from support_portal.web.upload_handlers import Refused, UploadHandler, check_args

ARGS_FIELD = "__reflex_event_args"  # Reflex's field for the handler's bound arguments


FILES_FIELD = "files"  # the field Reflex's upload client (and handler) uses for each file


# Room for the form itself: the arguments (a 20,000-character message is at most ~120 KB of
# JSON) and each part's boundary and headers.
FORM_ALLOWANCE = 256 * 1024


MAX_PART_HEADER_BYTES = 8 * 1024


def upload_limit() -> int:
    """The most a whole upload request may carry, in bytes."""
    settings = get_settings()
    return settings.max_attachment_bytes * settings.max_attachments_per_message + FORM_ALLOWANCE


def megabytes(size: int) -> int:
    return size // (1024 * 1024)


class FormCounter:
    """Parses the multipart body as it streams past, keeping only counts and the arguments."""

    def __init__(self, boundary: bytes, handler: UploadHandler) -> None:
        settings = get_settings()
        self.handler = handler
        self.limit = upload_limit()
        self.max_file_bytes = settings.max_attachment_bytes
        self.max_files = settings.max_attachments_per_message
        self.total = 0
        self.files = 0
        self.args: bytearray | None = None
        self.ended = False
        self._part: str | None = None  # "args", "file"
        self._part_bytes = 0
        self._filename = ""
        self._header_bytes = 0
        self._header_name = b""
        self._header_value = b""
        self._disposition: bytes | None = None
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value_part,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._data,
                "on_end": self._end,
            },
        )

    def feed(self, chunk: bytes) -> None:
        self.total += len(chunk)
        if self.total > self.limit:
            raise Refused(
                413, f"The upload is larger than {megabytes(self.limit)} MB (all files together)."
            )
        if self.ended:
            return  # the epilogue after the closing boundary is ignored, by Reflex too
        try:
            self._parser.write(chunk)
        except MultipartParseError as exc:
            raise Refused(400, "The upload is not a well-formed multipart form.") from exc

    def finish(self) -> None:
        if not self.ended:
            raise Refused(400, "The upload ended before its closing boundary.")
        check_args(self.handler, self.args.decode("utf-8", "replace") if self.args else None)

    # --- parser callbacks ---------------------------------------------------------------

    def _begin(self) -> None:
        self._part = None
        self._part_bytes = 0
        self._header_bytes = 0
        self._disposition = None
        self._filename = ""

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self._header_name += data[start:end]

    def _header_value_part(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self._header_value += data[start:end]

    def _count_header(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > MAX_PART_HEADER_BYTES:
            raise Refused(400, "A part of the upload has too long headers.")

    def _header_end(self) -> None:
        if self._header_name.strip().lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = b""
        self._header_value = b""

    def _headers_finished(self) -> None:
        kind, options = parse_options_header(self._disposition or b"")
        name = options.get(b"name")
        if kind != b"form-data" or name is None:
            raise Refused(400, "Every part of the upload needs a form-data name.")
        has_filename = b"filename" in options
        if name == ARGS_FIELD.encode() and not has_filename:
            if self.args is not None:
                raise Refused(400, "The upload's arguments were sent twice.")
            self.args = bytearray()
            self._part = "args"
        elif name == FILES_FIELD.encode() and has_filename:
            self.files += 1
            if self.files > self.max_files:
                raise Refused(413, f"You can attach at most {self.max_files} files to one message.")
            self._filename = options[b"filename"].decode("utf-8", "replace")[:200]
            self._part = "file"
        else:
            field = name.decode("utf-8", "replace")[:64]
            raise Refused(400, f"Unexpected field in the upload: {field!r}.")

    def _data(self, data: bytes, start: int, end: int) -> None:
        size = end - start
        self._part_bytes += size
        if self._part == "args":
            assert self.args is not None
            if len(self.args) + size > FORM_ALLOWANCE:
                raise Refused(413, "The upload's arguments are too large.")
            self.args += data[start:end]
        elif self._part == "file" and self._part_bytes > self.max_file_bytes:
            raise Refused(
                413,
                f"{self._filename or 'A file'} is larger than {megabytes(self.max_file_bytes)} MB.",
            )

    def _end(self) -> None:
        self.ended = True
