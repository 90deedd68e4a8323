from support_portal.models import TicketStatus
from support_portal.services import agent as agent_service
from support_portal.services import conversation, ticket_lists, tickets


def test_a_customer_opens_a_ticket_and_an_agent_answers_it(db, alice, agent):
    new = tickets.create_ticket(
        db,
        viewer=alice,
        subject="Deposit missing",
        category="deposits_withdrawals",
        description="Sent 1 BTC",
        idempotency_key="k1",
    )
    db.commit()
    page = ticket_lists.list_tickets(db, viewer=alice)
    assert [t.number for t in page.items] == [new.number]
    agent_service.agent_reply(
        db, viewer=agent, number=new.number, body="Looking", request_info=True
    )
    db.commit()
    assert (
        conversation.detail(db, viewer=alice, number=new.number).status
        == TicketStatus.awaiting_customer
    )
    tickets.add_customer_reply(
        db, viewer=alice, number=new.number, body="txid 123", idempotency_key="k2"
    )
    db.commit()
    messages = conversation.list_messages(db, viewer=alice, number=new.number)
    assert [m.body for m in messages] == ["Sent 1 BTC", "Looking", "txid 123"]
    assert conversation.detail(db, viewer=alice, number=new.number).status == TicketStatus.open
