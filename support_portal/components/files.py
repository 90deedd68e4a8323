"""Attaching files to a reply: the picker, the chosen files, rejections, and the event that
sends a form's values with its files in one request."""

from __future__ import annotations

import reflex as rx

from support_portal.components.i18n import T
from support_portal.components.upload_feedback import begin_and_upload
from support_portal.rules import ACCEPT
from support_portal.settings import get_settings
from support_portal.states.base import SessionState

UPLOAD_ID = "reply-files"
# A chosen file's badge: a long name wraps anywhere instead of widening a phone's page.
LONG_NAME = {"max_width": "100%", "white_space": "normal", "overflow_wrap": "anywhere"}


def selected_files() -> rx.Component:
    return rx.cond(
        rx.selected_files(UPLOAD_ID).length() > 0,
        rx.flex(
            rx.foreach(
                rx.selected_files(UPLOAD_ID),
                lambda name: rx.badge(
                    rx.icon("paperclip", size=12),
                    name,
                    variant="soft",
                    class_name="selected-file",
                    high_contrast=True,
                    **LONG_NAME,
                ),
            ),
            rx.button(
                T("Remove files"),
                size="1",
                variant="ghost",
                type="button",
                on_click=rx.clear_selected_files(UPLOAD_ID),
            ),
            spacing="2",
            wrap="wrap",
            align="center",
        ),
    )


def rejected_files(rejected: rx.Var) -> rx.Var:
    """react-dropzone's rejections as plain data: they hold File objects, which the event
    channel would try to send as binary attachments."""
    return rx.Var(
        _js_expr=f"({rejected}).map((r) => ({{name: String((r.file && r.file.name) || ''), "
        "codes: (r.errors || []).map((e) => String(e.code))}))",
        _var_type=list[dict],
    )


def on_files_rejected(rejected: rx.Var):
    return SessionState.files_rejected(rejected_files(rejected))


def upload_zone(*children: rx.Component, **props) -> rx.Component:
    """`rx.upload.root` whose hidden file input stays out of the keyboard order and of the
    accessibility tree: react-dropzone renders it without a name, so screen readers (and axe)
    would meet an unnamed control. The button inside is the one named control; it opens the
    same file dialog."""
    upload = rx.upload.root(*children, **props)
    zone = upload.children[0]
    file_input = zone.children[0]
    file_input.custom_attrs["aria-hidden"] = "true"
    file_input.custom_attrs["tabIndex"] = -1
    return upload


def attach_button(disabled: rx.Var | bool = False) -> rx.Component:
    settings = get_settings()
    return upload_zone(
        rx.button(
            rx.icon("paperclip", size=16),
            T("Attach files"),
            variant="soft",
            type="button",
            size="2",
            id="attach-button",
            disabled=disabled,
        ),
        disabled=disabled,
        id=UPLOAD_ID,
        multiple=True,
        accept=ACCEPT,
        max_files=settings.max_attachments_per_message,
        max_size=settings.max_attachment_bytes,
        no_drag=False,
        # The button inside is the one keyboard stop (the drop area would be a second, unnamed).
        no_keyboard=True,
        on_drop_rejected=on_files_rejected,
        border="none",
        padding="0",
    )


def form_values(form_id: str) -> rx.Var:
    """The form's current fields, read in the browser when the event fires."""
    return rx.Var(
        _js_expr=f"Object.fromEntries(new FormData(document.getElementById({form_id!r})))",
        _var_type=dict,
    )


def send_event(handler, state, form_id: str = "reply-form", upload_id: str = UPLOAD_ID):
    """Send/Submit: busy at once, then the upload handler bound to this form's files and
    values (components/upload_feedback.py)."""
    upload = handler(
        rx.upload_files(upload_id=upload_id, on_upload_progress=state.on_progress),
        form_values(form_id),
    )
    return begin_and_upload(state, upload_id, upload)
