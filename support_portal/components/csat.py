"""The "How did we do?" card of the customer's ticket page (CSAT, issue 16).

It appears once the ticket is resolved (or closed) and loads the customer's own question when
it mounts; a new status mounts it anew, so a resolution seen live asks at once.
"""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T
from support_portal.components.ui import card, error_callout
from support_portal.states.csat import CsatState

S = CsatState


def _choice(value: str, label: rx.Var, icon: str) -> rx.Component:
    chosen = S.csat_choice == value
    return rx.button(
        rx.icon(icon, size=18),
        label,
        type="button",
        on_click=S.choose(value),
        variant=rx.cond(chosen, "solid", "outline"),
        aria_pressed=rx.cond(chosen, "true", "false"),
        size="3",
        id=f"csat-{value}",
    )


def _question() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(T("How did we do?"), size="4", as_="h2", id="csat-heading"),
            rx.flex(
                _choice("good", T("Good"), "thumbs-up"),
                _choice("bad", T("Bad"), "thumbs-down"),
                spacing="3",
                wrap="wrap",
                role="group",
                aria_labelledby="csat-heading",
            ),
            rx.el.label(
                T("Comment (optional)"), html_for="csat-comment", class_name="rt-Text rt-r-size-2"
            ),
            rx.text_area(
                name="comment", id="csat-comment", max_length=2000, rows="3", width="100%"
            ),
            error_callout(S.csat_error, id="csat-error"),
            rx.button(
                T("Send my answer"),
                type="submit",
                loading=S.csat_sending,
                disabled=S.csat_choice == "",
                id="csat-send",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=S.answer,
        reset_on_submit=False,
        width="100%",
    )


def _answered() -> rx.Component:
    return rx.vstack(
        rx.heading(
            rx.cond(S.csat_thanks, T("Thank you for your feedback"), T("How did we do?")),
            size="4",
            as_="h2",
        ),
        rx.text(
            rx.cond(
                S.csat_rating == "good",
                T("You rated this support as good."),
                T("You rated this support as bad."),
            ),
            role="status",
            id="csat-answer",
        ),
        rx.cond(S.csat_comment != "", rx.text(S.csat_comment, size="2", color_scheme="gray")),
        spacing="2",
        width="100%",
    )


def _card() -> rx.Component:
    return rx.match(
        S.csat_state,
        ("open", card(_question(), id="csat-card")),
        ("answered", card(_answered(), id="csat-card")),
        rx.fragment(),  # expired, cancelled, none: nothing to ask
    )


def csat_card(ticket) -> rx.Component:
    """The card for `ticket` (the ticket page's state): keyed by number and status, so it
    loads again when either changes."""
    return rx.cond(
        (ticket.status == "resolved") | (ticket.status == "closed"),
        rx.box(
            _card(),
            key=ticket.ticket_number.to_string() + ticket.status,
            on_mount=S.load_survey(ticket.ticket_number),
            width="100%",
        ),
    )
