"""Test-wide settings: a fixed secret and throwaway folders, set before anything reads them."""

from __future__ import annotations

import os
import tempfile

_TMP = tempfile.mkdtemp(prefix="support-portal-tests-")
os.environ.setdefault("SECRET_KEY", "test-secret-key-0123456789abcdef0123456789")
os.environ.setdefault("UPLOAD_DIR", os.path.join(_TMP, "uploads"))
os.environ.setdefault("MAILBOX_DIR", os.path.join(_TMP, "mailbox"))
os.environ.setdefault("DB_URL", "sqlite:///" + os.path.join(_TMP, "default.db"))
os.environ.setdefault("PUBLIC_URL", "http://portal.test")
