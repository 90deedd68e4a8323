"""What a form shows while its files travel (issue 14): each file's percentage, and the
watcher that reports a refused or lost upload (states/upload_feedback.py)."""

from __future__ import annotations

import reflex as rx
from reflex_components_core.core.upload import get_upload_files_context_var_data

from support_portal.components.i18n import T

FAILED_BUTTON_ID = "upload-failed"

# Installed once per browser tab: every XMLHttpRequest to Reflex's upload endpoint that ends
# without a 2xx (refused by the server, connection lost, aborted) leaves its status on window
# and clicks the page's hidden "upload failed" button, whose click reports it to the state.
# (Reflex's own upload helper only logs such a failure to the console.)
WATCH_UPLOADS_JS = """
(() => {
  if (window.__spUploadWatch) return;
  window.__spUploadWatch = true;
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.__spUpload = String(url).includes("/_upload");
    return open.call(this, method, url, ...rest);
  };
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    if (this.__spUpload) {
      this.addEventListener("loadend", () => {
        if (this.status >= 200 && this.status < 300) return;
        window.__spUploadFailure = this.status;
        const button = document.getElementById("__BUTTON__");
        if (button) button.click();
      });
    }
    return send.apply(this, args);
  };
})();
""".replace("__BUTTON__", FAILED_BUTTON_ID)


def chosen_files(upload_id: str) -> rx.Var:
    """Name and size of each file chosen in an upload zone, read in the browser on click."""
    return rx.Var(
        _js_expr=f"(filesById[{upload_id!r}] || []).map((f) => ({{name: String(f.name || ''), "
        "size: Number(f.size) || 0}))",
        _var_type=list[dict],
        _var_data=get_upload_files_context_var_data(),
    )


def begin_and_upload(state, upload_id: str, upload_event) -> list:
    """The Send/Submit chain: busy at once (answered before a byte is sent), then the upload."""
    return [state.begin_upload(chosen_files(upload_id)), upload_event]


def upload_watch(state) -> rx.Component:
    """The hidden button the watcher clicks when an upload fails (see WATCH_UPLOADS_JS)."""
    return rx.el.button(
        type="button",
        id=FAILED_BUTTON_ID,
        hidden=True,
        tab_index=-1,
        on_click=state.upload_failed(
            rx.Var(_js_expr="(window.__spUploadFailure ?? 0)", _var_type=int)
        ),
        on_mount=rx.call_script(WATCH_UPLOADS_JS),
    )


def upload_items(state, busy: rx.Var) -> rx.Component:
    """Each chosen file with its percentage while the form is busy; 100 % once the server has
    it (then the handler's own work follows, the button still busy)."""
    return rx.cond(
        busy & (state.upload_items.length() > 0),
        rx.vstack(
            rx.foreach(
                state.upload_items,
                lambda item: rx.box(
                    rx.text(
                        T("Uploading {name}: {percent}%", name=item.name, percent=item.percent),
                        size="1",
                        color_scheme="gray",
                        class_name="upload-percent",
                        overflow_wrap="anywhere",
                    ),
                    rx.progress(value=item.percent, max=100, width="100%", aria_label=item.name),
                    width="100%",
                    class_name="upload-item",
                ),
            ),
            width="100%",
            spacing="1",
            id="upload-items",
        ),
    )
