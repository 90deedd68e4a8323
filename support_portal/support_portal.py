"""The Reflex app: pages, HTTP routes and background services. Wiring only."""

import reflex as rx

from support_portal import lifespan
from support_portal.api.app import build_api_app
from support_portal.components.i18n import page_title
from support_portal.i18n import _
from support_portal.mail.codes import SmtpMailer
from support_portal.pages import (  # noqa: F401  (importing registers each @rx.page)
    account,
    agent_queue,
    agent_reports,
    agent_ticket,
    agents,
    api_tokens,
    auth,
    categories,
    guest,
    home,
    mailbox,
    my_tickets,
    new_ticket,
    notifications,
    outbox,
    password_reset,
    saved_replies,
    service_levels,
    tags,
    ticket,
    webhooks,
)
from support_portal.services import mailer
from support_portal.settings import get_settings
from support_portal.states import live, store
from support_portal.states.new_ticket import NewTicketState
from support_portal.web.dev_access import mailbox_guard
from support_portal.web.request_ids import request_ids
from support_portal.web.routes import build_routes_app
from support_portal.web.security import origin_guard, security_headers
from support_portal.web.upload_handlers import registered_upload_handlers
from support_portal.web.uploads import live_session, upload_guard

# Every upload handler needs a logged-in (or verified guest) session, except the ticket form,
# which guests submit without one.
upload_handlers = registered_upload_handlers(anonymous=[NewTicketState.submit_with_files])

app = rx.App(
    stylesheets=["/a11y.css"],
    # Keyboard and scrolling helpers (Ctrl+Enter, agent shortcuts, "New message").
    head_components=[rx.script(src="/portal.js", defer=True)],
    api_transformer=[
        build_routes_app(),
        build_api_app(),
        mailbox_guard,
        lambda inner: upload_guard(inner, handlers=upload_handlers, has_session=live_session),
        security_headers,
        lambda inner: origin_guard(inner, lambda: get_settings().origins),
        request_ids,
    ],
)
# Verification codes leave the services only by this mailer, straight to the mail server (G3).
mailer.install(SmtpMailer())
# Tabs' server-side state: purged when the session ends, bounded when anonymous (X2, X6).
store.install(app)
app.add_page(home.not_found_page, route="404", title=page_title(_("Not found")))
lifespan.register(app)
live.register_app(app)  # the live loops ask it whether a tab is still connected
