"""`T("English text")`: a UI string translated in the browser from the session's catalog.

The catalog (`SessionState.tr`) holds only translated entries; English is the msgid itself,
so English pages render before the socket connects. Parameters are substituted in the
browser: `T("Ticket {number}", number=TicketState.number)`.
"""

from __future__ import annotations

import json
from typing import Any

from reflex.vars.base import Var, VarData

from support_portal.settings import get_settings


def T(message: str, **params: Any) -> Var:
    from support_portal.states.base import SessionState

    tr = SessionState.tr
    key = json.dumps(message)
    expr = f"({tr._js_expr}?.[{key}] ?? {key})"
    var_data = [tr._get_all_var_data()]
    for name, value in params.items():
        if isinstance(value, Var):
            rendered = f"String({value._js_expr} ?? '')"
            var_data.append(value._get_all_var_data())
        else:
            rendered = json.dumps(str(value))
        expr = f"{expr}.replaceAll({json.dumps('{' + name + '}')}, {rendered})"
    return Var(_js_expr=expr, _var_type=str, _var_data=VarData.merge(*var_data))


def page_title(name: str) -> Var:
    """ "My tickets · Support", translated in the browser like any other text."""
    brand = get_settings().brand_name.strip()
    return T("{page} · {site}", page=T(name), site=brand or T("Support"))
