"""Steps shared by the integration tests."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from sqlmodel import Session, col, select

from support_portal.db import session_scope
from support_portal.models import OutboxEmail, Ticket
from support_portal.services import agent as agent_service
from support_portal.services import tickets
from support_portal.services.dto import Viewer


def open_ticket(viewer: Viewer | None, description: str = "Please help", **guest) -> int:
    with session_scope() as db:
        return tickets.create_ticket(
            db, viewer=viewer, subject="Withdrawal stuck", category="other",
            description=description, **guest,
        ).number  # fmt: skip


def agent_reply(agent: Viewer, number: int, body: str, **kw) -> None:
    with session_scope() as db:
        agent_service.agent_reply(db, viewer=agent, number=number, body=body, **kw)


def outbox_rows(db: Session) -> list[OutboxEmail]:
    db.expire_all()
    return list(db.exec(select(OutboxEmail).order_by(col(OutboxEmail.id))).all())


def ticket(db: Session, number: int) -> Ticket:
    return db.exec(select(Ticket).where(Ticket.number == number)).one()


def parse(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[return-value]


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def header_block(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
