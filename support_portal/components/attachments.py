"""A message's attachment: its name, size and download link; an image's thumbnail above."""

from __future__ import annotations

import reflex as rx

from support_portal.states.views import AttachmentView


def _thumbnail(a: AttachmentView) -> rx.Component:
    """An image's small picture, opening the image itself in a new tab. If it cannot be
    shown (too large or unreadable to make one), portal.js hides it: the name's link stays."""
    return rx.el.a(
        rx.el.img(
            src=a.thumbnail_url,
            alt=a.filename,
            loading="lazy",
            class_name="attachment-thumb",
            style={
                "display": "block",
                "max_width": "100%",
                "max_height": "12rem",
                "border_radius": "var(--radius-2)",
                "border": "1px solid var(--gray-a5)",
            },
        ),
        href=a.url + "?inline=1",
        target="_blank",
        rel="noopener",
        class_name="attachment-thumb-link",
        style={"display": "inline-block", "max_width": "100%"},
    )


def attachment_chip(a: AttachmentView) -> rx.Component:
    return rx.flex(
        rx.cond(a.thumbnail_url != "", _thumbnail(a)),
        _file_link(a),
        direction="column",
        spacing="1",
        max_width="100%",
        class_name="attachment",
    )


def _file_link(a: AttachmentView) -> rx.Component:
    return rx.link(
        rx.hstack(
            # Two static icons: an icon named by a var loads the whole icon set (54 KiB).
            rx.cond(a.is_image, rx.icon("image", size=14), rx.icon("paperclip", size=14)),
            # A long name without spaces wraps anywhere rather than widen a phone's page.
            rx.text(a.filename, size="2", class_name="attachment-name", overflow_wrap="anywhere"),
            rx.text(a.size_label, size="1", color_scheme="gray", white_space="nowrap"),
            align="center",
            spacing="1",
            min_width="0",
        ),
        href=a.url,
        is_external=False,
        reload_document=True,
        class_name="attachment-link",
        max_width="100%",
    )
