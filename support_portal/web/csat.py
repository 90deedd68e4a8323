"""The "How did we do?" page a "resolved" email links to (CSAT, issue 16): `/rate/<token>`.

GET only shows the question (with the answer the email's button named already chosen); only
the form's POST records an answer, so mail scanners that open every link never rate. The
signed token is the only permission: no login, no code. It works once (services/satisfaction).
A plain HTML form: it works in any browser a mail program opens, without JavaScript.
"""

from __future__ import annotations

import html

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from support_portal import i18n
from support_portal.db import session_scope
from support_portal.i18n import _
from support_portal.mail.survey_render import ANSWERS
from support_portal.services import satisfaction
from support_portal.services.errors import InvalidInput, NotFound
from support_portal.settings import BRAND_HEX, get_settings

HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",  # the token is in the address
    "X-Robots-Tag": "noindex",
}
MAX_FORM_BYTES = 16 * 1024


async def rate(request: Request) -> Response:
    token = request.path_params.get("token", "")
    if request.method == "POST":
        return await _answer(request, token)
    try:
        survey = await run_in_threadpool(_read, token)
    except NotFound:
        return _invalid(request)
    choice = request.query_params.get("rating", "")
    return _page(survey.locale, _body_for(survey, choice=choice))


def _read(token: str) -> satisfaction.SurveyPublic:
    with session_scope() as db:
        return satisfaction.survey_by_token(db, token=token)


async def _answer(request: Request, token: str) -> Response:
    length = request.headers.get("content-length") or "0"
    if not length.isdigit() or int(length) > MAX_FORM_BYTES:
        return Response(status_code=413, headers=HEADERS)
    try:
        form = await request.form(max_files=0, max_fields=10)
    except Exception:  # not a form: the same as an empty one
        form = {}
    rating, comment = str(form.get("rating") or ""), str(form.get("comment") or "")

    def run() -> satisfaction.SurveyPublic:
        with session_scope() as db:
            return satisfaction.answer_by_token(db, token=token, rating=rating, comment=comment)

    try:
        survey = await run_in_threadpool(run)
    except NotFound:
        return _invalid(request)
    except satisfaction.SurveyClosed as exc:
        current = await run_in_threadpool(_read, token)
        return _page(current.locale, _closed(current.locale, exc.state), status=409)
    except InvalidInput as exc:
        current = await run_in_threadpool(_read, token)
        locale = _locale(current.locale)
        error = i18n.gettext(locale, exc.message, **exc.params)
        body = _body_for(current, choice=rating, comment=comment, error=error)
        return _page(current.locale, body, status=400)
    return _page(survey.locale, _thanks(_locale(survey.locale)))


def _locale(value: str | None) -> str:
    return i18n.normalize_locale(value, get_settings().default_locale)


def _body_for(
    survey: satisfaction.SurveyPublic, *, choice: str, comment: str = "", error: str = ""
) -> str:
    locale = _locale(survey.locale)
    if survey.state != "open":
        return _closed(locale, survey.state)

    def t(message: str, **params: object) -> str:
        return html.escape(i18n.gettext(locale, message, **params))

    def option(value: str, label: str) -> str:
        checked = " checked" if choice == value else ""
        return (
            f'<label class="choice"><input type="radio" name="rating" value="{value}" required'
            f"{checked}> {t(label)}</label>"
        )

    alert = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    heading, legend = t(_("How did we do?")), t(_("Your answer"))
    intro = t(_("Your ticket {number} was resolved."), number=survey.ticket_number)
    label, send = t(_("Comment (optional)")), t(_("Send my answer"))
    note = t(_("Only our support team sees your answer."))
    return (
        f"<h1>{heading}</h1><p>{intro}</p>"
        f'<form method="post">{alert}<fieldset><legend>{legend}</legend>'
        f"{''.join(option(value, label) for label, value in ANSWERS)}</fieldset>"
        f'<label for="comment">{label}</label>'
        f'<textarea id="comment" name="comment" rows="4" '
        f'maxlength="{satisfaction.MAX_COMMENT}">{html.escape(comment)}</textarea>'
        f'<button type="submit">{send}</button></form><p class="note">{note}</p>'
    )


def _closed(locale: str | None, state: str) -> str:
    locale = _locale(locale)
    text = satisfaction.CLOSED_TEXT.get(state, satisfaction.SurveyClosed.message)
    heading = html.escape(i18n.gettext(locale, "How did we do?"))
    return f'<h1>{heading}</h1><p role="status">{html.escape(i18n.gettext(locale, text))}</p>'


def _thanks(locale: str) -> str:
    heading = html.escape(i18n.gettext(locale, "Thank you for your feedback"))
    text = html.escape(i18n.gettext(locale, "Your answer was recorded."))
    return f'<h1>{heading}</h1><p role="status">{text}</p>'


def _invalid(request: Request) -> Response:
    locale = i18n.negotiate(request.headers.get("accept-language"), get_settings().default_locale)
    heading = html.escape(i18n.gettext(locale, "This link is not valid"))
    text = html.escape(i18n.gettext(locale, "Check that you opened the whole link."))
    return _page(locale, f"<h1>{heading}</h1><p>{text}</p>", status=404)


def _page(locale: str | None, body: str, *, status: int = 200) -> Response:
    locale = _locale(locale)
    settings = get_settings()
    accent = BRAND_HEX[settings.brand_accent]
    brand = html.escape(settings.brand_name.strip() or i18n.gettext(locale, "Support"))
    title = html.escape(i18n.gettext(locale, "How did we do?"))
    page = (
        f'<!doctype html><html lang="{locale}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title} · {brand}</title><style>{_css(accent)}</style></head>"
        f'<body><header><p class="brand">{brand}</p></header><main>{body}</main></body></html>'
    )
    return HTMLResponse(page, status_code=status, headers=HEADERS)


def _css(accent: str) -> str:
    return (
        "body{font-family:system-ui,sans-serif;line-height:1.5;color:#111;margin:0;"
        "background:#f7f7f8}header{padding:12px 20px;background:#fff;border-bottom:1px solid "
        f"#ddd}}.brand{{margin:0;font-weight:700;color:{accent}}}main{{max-width:34rem;"
        "margin:24px auto;padding:20px;background:#fff;border-radius:8px;border:1px solid #ddd}"
        "h1{font-size:1.4rem;margin-top:0}fieldset{border:0;padding:0;margin:0 0 16px;display:"
        "flex;gap:12px;flex-wrap:wrap}legend{font-weight:600;margin-bottom:8px}.choice{display:"
        "flex;align-items:center;gap:6px;padding:10px 16px;border:1px solid #999;border-radius:"
        "6px;cursor:pointer;min-height:24px}textarea{display:block;width:100%;box-sizing:"
        "border-box;margin:6px 0 16px;font:inherit;padding:8px}button{font:inherit;padding:"
        f"10px 18px;border:0;border-radius:6px;background:{accent};color:#fff;cursor:pointer}}"
        "button:focus-visible,input:focus-visible,textarea:focus-visible{outline:3px solid "
        "#1a56db;outline-offset:2px}.error{color:#b00020;font-weight:600}.note{font-size:.9rem;"
        "color:#555}"
    )
