"""'Download my data': what the ZIP holds and never holds, one export per account at a time,
the download check, the link's lifetime and the cleanup (A1, A5, C1, X1)."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from support_portal.models import DataExport, utcnow
from support_portal.services import agent as agent_service
from support_portal.services import attachments, data_export, notifications, tickets
from support_portal.services.attachments import IncomingFile
from support_portal.services.errors import NotAuthenticated, NotFound, RateLimited
from tests.unit.conftest import guest_viewer

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Builds the app would start in a thread: the tests run them in place."""
    started: list[int] = []
    monkeypatch.setattr(data_export, "launch", started.append)
    return started


@pytest.fixture
def exports(tmp_path, monkeypatch: pytest.MonkeyPatch):
    from support_portal.settings import get_settings

    monkeypatch.setattr(get_settings(), "export_dir", str(tmp_path / "exports"))
    return tmp_path / "exports"


def open_ticket(db: Session, viewer, subject: str = "Deposit missing", **kw) -> int:
    return tickets.create_ticket(
        db,
        viewer=viewer,
        subject=subject,
        category="deposits_withdrawals",
        description=kw.pop("description", "I sent 1 BTC yesterday"),
        **kw,
    ).number


def built(db: Session, viewer, launched: list[int]) -> zipfile.ZipFile:
    status = data_export.start_export(db, viewer=viewer)
    db.commit()
    assert launched == [status.id]
    assert data_export.build(status.id)
    path, name = data_export.file_for_download(db, viewer=viewer, export_id=status.id)
    assert name.startswith("my-data-") and name.endswith(".zip")
    return zipfile.ZipFile(path)


def test_the_zip_holds_the_account_its_tickets_public_messages_and_own_files(
    db, alice, bob, agent, uploads, exports, launched
):
    mine = open_ticket(db, alice, files=attachments.store([IncomingFile("receipt.png", PNG)]))
    agent_service.agent_reply(db, viewer=agent, number=mine, body="We found it, see the log")
    agent_service.agent_reply(db, viewer=agent, number=mine, body="VIP, fraud?", internal=True)
    agent_service.agent_reply(
        db,
        viewer=agent,
        number=mine,
        body="Here is our statement",
        files=attachments.store([IncomingFile("statement.png", PNG)]),
    )
    theirs = open_ticket(db, bob, "Bob's secret", description="bob's own words")
    notifications.set_preference(db, viewer=alice, event="agent_replied", email=False)

    archive = built(db, alice, launched)
    names = set(archive.namelist())
    assert {"account.json", "notifications.json", "index.html"} <= names
    assert {f"tickets/{mine}.json", f"tickets/{mine}.html"} <= names
    assert not any(str(theirs) in n for n in names)
    account = json.loads(archive.read("account.json"))
    assert (account["name"], account["email"]) == ("Alice", "alice@example.com")
    assert account["notification_email_preferences"] == {"agent_replied": False}
    assert "password_hash" not in archive.read("account.json").decode()
    ticket = json.loads(archive.read(f"tickets/{mine}.json"))
    texts = [m["text"] for m in ticket["messages"]]
    assert texts == ["I sent 1 BTC yesterday", "We found it, see the log", "Here is our statement"]
    [own_file] = [n for n in names if n.startswith(f"attachments/{mine}/")]
    assert own_file.endswith("receipt.png") and archive.read(own_file) == PNG
    # The agent's file is listed, not copied: only what the customer sent.
    assert ticket["messages"][2]["attachments"][0]["filename"] == "statement.png"
    assert "file" not in ticket["messages"][2]["attachments"][0]
    everything = b"".join(archive.read(n) for n in names)
    assert b"VIP, fraud?" not in everything  # never an internal note (A5)
    assert b"bob's own words" not in everything and b"bob@example.com" not in everything
    notes = json.loads(archive.read("notifications.json"))
    assert {n["event"] for n in notes} == {"ticket_received", "agent_replied"}
    assert all(n["ticket_number"] == mine for n in notes)


def test_the_html_page_of_a_ticket_shows_what_was_typed_as_text(
    db, alice, uploads, exports, launched
):
    files = attachments.store([IncomingFile("<svg onload=alert(3)>'.png", PNG)])
    number = open_ticket(
        db, alice, XSS, description=f"{XSS}\n<script>alert(2)</script>", files=files
    )
    archive = built(db, alice, launched)
    page = archive.read(f"tickets/{number}.html").decode()
    assert "<img" not in page and "<script" not in page and "<svg" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;svg onload=alert(3)&gt;&#x27;.png" in page
    index = archive.read("index.html").decode()
    assert "<img" not in index and "&lt;img src=x onerror=alert(1)&gt;" in index
    assert "default-src 'none'" in page  # no script would run even if something slipped


def test_a_second_click_while_it_is_being_built_returns_the_same_export(db, alice, launched):
    first = data_export.start_export(db, viewer=alice)
    db.commit()
    again = data_export.start_export(db, viewer=alice)
    db.commit()
    assert again.id == first.id and again.running
    assert len(db.exec(select(DataExport)).all()) == 1
    assert launched == [first.id]


def test_progress_is_shown_then_the_link_works_for_a_day(db, alice, exports, launched):
    status = data_export.start_export(db, viewer=alice)
    db.commit()
    assert data_export.export_status(db, viewer=alice).status == "pending"
    data_export.build(status.id)
    db.expire_all()
    ready = data_export.export_status(db, viewer=alice)
    assert (ready.status, ready.progress) == ("ready", 100)
    assert ready.expires_at - utcnow() > timedelta(hours=23)
    row = db.get(DataExport, status.id)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    assert data_export.export_status(db, viewer=alice) is None
    with pytest.raises(NotFound):
        data_export.file_for_download(db, viewer=alice, export_id=status.id)


def test_only_the_owner_downloads_and_everyone_else_sees_not_found(
    db, alice, bob, exports, launched
):
    open_ticket(db, alice)
    status = data_export.start_export(db, viewer=alice)
    db.commit()
    with pytest.raises(NotFound):  # not ready yet
        data_export.file_for_download(db, viewer=alice, export_id=status.id)
    data_export.build(status.id)
    assert data_export.file_for_download(db, viewer=alice, export_id=status.id)
    guest = guest_viewer(db, "alice@example.com")
    for viewer, export_id in ((bob, status.id), (guest, status.id), (None, status.id)):
        with pytest.raises(NotFound) as refused:
            data_export.file_for_download(db, viewer=viewer, export_id=export_id)
    with pytest.raises(NotFound) as missing:
        data_export.file_for_download(db, viewer=alice, export_id=status.id + 100)
    assert str(refused.value) == str(missing.value)


def test_guests_and_logged_out_visitors_cannot_start_one(db, launched):
    guest = guest_viewer(db, "gus@example.net")
    for viewer in (guest, None):
        with pytest.raises(NotAuthenticated):
            data_export.start_export(db, viewer=viewer)
    assert launched == []


def test_a_new_export_replaces_the_previous_file(db, alice, exports, launched):
    first = data_export.start_export(db, viewer=alice)
    db.commit()
    data_export.build(first.id)
    old_path, _ = data_export.file_for_download(db, viewer=alice, export_id=first.id)
    second = data_export.start_export(db, viewer=alice)
    db.commit()
    assert second.id != first.id
    data_export.build(second.id)
    assert not old_path.exists()
    assert [r.id for r in db.exec(select(DataExport)).all()] == [second.id]


def test_at_most_five_exports_a_day(db, alice, exports, launched):
    for _ in range(data_export.EXPORTS_PER_DAY):
        status = data_export.start_export(db, viewer=alice)
        db.commit()
        data_export.build(status.id)
    with pytest.raises(RateLimited) as refused:
        data_export.start_export(db, viewer=alice)
    assert refused.value.retry_after > 23 * 3600


def test_a_build_whose_worker_died_is_started_again(db, alice, exports, launched):
    status = data_export.start_export(db, viewer=alice)
    db.commit()
    launched.clear()
    row = db.get(DataExport, status.id)
    row.status, row.lease_until = "building", utcnow() - timedelta(seconds=1)  # lease ran out
    db.commit()
    data_export.export_status(db, viewer=alice)
    db.commit()
    assert launched == [status.id]
    assert data_export.build(status.id)  # the new builder claims it and finishes
    db.expire_all()
    assert data_export.export_status(db, viewer=alice).status == "ready"


def test_a_build_already_claimed_by_another_worker_is_left_alone(db, alice, exports, launched):
    status = data_export.start_export(db, viewer=alice)
    db.commit()
    row = db.get(DataExport, status.id)
    row.status, row.lease_until = "building", utcnow() + timedelta(minutes=1)
    db.commit()
    assert data_export.build(status.id) is False
    data_export.export_status(db, viewer=alice)
    db.commit()
    assert launched == [status.id]  # only the first launch: a live lease is not stale


def test_the_cleanup_deletes_expired_exports_and_their_files(db, alice, exports, launched):
    status = data_export.start_export(db, viewer=alice)
    db.commit()
    data_export.build(status.id)
    path, _ = data_export.file_for_download(db, viewer=alice, export_id=status.id)
    assert data_export.prune(db, now=utcnow() + timedelta(hours=23)) == 0
    assert data_export.prune(db, now=utcnow() + timedelta(days=1, minutes=1)) == 1
    db.commit()
    assert not path.exists()
    assert db.exec(select(DataExport)).all() == []


def test_a_ticket_record_lists_the_fields_the_customer_sees_and_no_others(db, alice):
    from sqlmodel import select

    from support_portal.models import CategoryField, Ticket, TicketCategory, User
    from support_portal.services import export_archive, field_values, tickets

    category = db.exec(select(TicketCategory).where(TicketCategory.key == "trading")).one()
    visible = CategoryField(
        category_id=category.id, key="order_id", kind="short_text", labels={"en": "Order ID"}
    )
    hidden = CategoryField(
        category_id=category.id, key="risk", kind="short_text", customer_visible=False
    )
    db.add_all([visible, hidden])
    db.flush()
    number = tickets.create_ticket(
        db, viewer=alice, subject="Order", category="trading", description="Stuck"
    ).number
    ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
    field_values.write(db, ticket_id=ticket.id, item=visible, value="ORD-1")
    field_values.write(db, ticket_id=ticket.id, item=hidden, value="high")
    record, _ = export_archive.ticket_record(db, db.get(User, alice.user_id), ticket.id)
    assert record["fields"] == [{"key": "order_id", "label": "Order ID", "value": "ORD-1"}]
