"""Rules that both the services (which enforce them) and the pages (which explain them and let
the browser check them first) read: one copy of each."""

from __future__ import annotations

import zoneinfo

# Attachments: the extensions accepted, with the content type each is served as (C3). The
# services also check each file's content against its extension.
ALLOWED_EXTENSIONS = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "txt": "text/plain",
    "csv": "text/csv",
    "log": "text/plain",
}
TEXT_EXTENSIONS = {"txt", "csv", "log"}
# The same, as the file picker's `accept` (content type -> extensions).
ACCEPT: dict[str, list[str]] = {}
for _ext, _type in ALLOWED_EXTENSIONS.items():
    ACCEPT.setdefault(_type, []).append(f".{_ext}")

# Passwords (P1).
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # long enough for any passphrase, short enough to bound hashing cost

# Time zones an account can choose: the IANA names of places (no legacy aliases), and UTC.
TIME_ZONES: list[str] = sorted(
    {
        name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    }
    | {"UTC"}
)
