"""The "Download my data" ZIP over HTTP: only its owner's session gets it, with the same
headers as attachments (A1, C2); anyone else, and an expired link, gets the plain 404."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest

from support_portal import routes
from support_portal.db import session_scope
from support_portal.models import DataExport, utcnow
from support_portal.services import data_export, sessions
from tests.integration.inprocess import session_cookie

pytestmark = pytest.mark.integration


@pytest.fixture
def ready_export(engine, monkeypatch) -> tuple[int, str]:
    """(export id, its owner's cookie), built."""
    monkeypatch.setattr(data_export, "launch", lambda _id: None)
    cookie = session_cookie(engine)
    with session_scope(engine) as db:
        viewer = sessions.viewer_for_token(db, session_token=cookie.partition("=")[2])
        export_id = data_export.start_export(db, viewer=viewer).id
    assert data_export.build(export_id)
    return export_id, cookie


def test_the_owner_downloads_the_zip_as_an_attachment(client, ready_export):
    export_id, cookie = ready_export
    response = client.get(routes.data_export_path(export_id), headers={"Cookie": cookie})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith('attachment; filename="my-data-')
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "no-store" in response.headers["cache-control"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert "account.json" in archive.namelist()


def test_anyone_else_and_an_expired_link_get_not_found(client, engine, ready_export):
    export_id, _ = ready_export
    path = routes.data_export_path(export_id)
    other = session_cookie(engine, "mallory@example.com")
    for headers in ({}, {"Cookie": other}):
        assert client.get(path, headers=headers).status_code == 404
    for bad in ("0", "abc", "99999999999", str(export_id + 1)):
        assert client.get(routes.data_export_path(bad)).status_code == 404
    with session_scope(engine) as db:
        db.get(DataExport, export_id).expires_at = utcnow() - timedelta(seconds=1)
    _, cookie = ready_export
    assert client.get(path, headers={"Cookie": cookie}).status_code == 404
