"""Which of the app's event handlers take uploads, and whether a call's arguments fit one (X3)."""

from __future__ import annotations

import inspect
import json
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

_JSON_TYPES: dict[type, tuple[type, ...]] = {
    dict: (dict,),
    list: (list,),
    str: (str,),
    bool: (bool,),
    int: (int,),
    float: (int, float),
}


class Refused(Exception):
    """The upload is answered with `status` and `detail`, and the rest of its body unread."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class UploadHandler:
    """One of the app's upload event handlers, as the upload guard needs to know it."""

    name: str
    needs_session: bool
    params: dict[str, Any]  # the handler's other parameters and their annotations
    required: frozenset[str]


def _describe(name: str, fn: Callable, needs_session: bool) -> UploadHandler | None:
    """The handler's non-file parameters, or None when it takes no list of uploaded files."""
    try:
        hints = typing.get_type_hints(fn)
    except Exception:
        hints = {}
    params: dict[str, Any] = {}
    required: set[str] = set()
    takes_files = False
    for index, param in enumerate(inspect.signature(fn).parameters.values()):
        if index == 0:
            continue  # self
        annotation = hints.get(param.name, param.annotation)
        if typing.get_origin(annotation) is list and any(
            getattr(arg, "__name__", "") == "UploadFile" for arg in typing.get_args(annotation)
        ):
            takes_files = True
            continue
        if param.kind not in (param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY):
            return None
        params[param.name] = annotation
        if param.default is param.empty:
            required.add(param.name)
    if not takes_files:
        return None
    return UploadHandler(name, needs_session, params, frozenset(required))


def app_upload_handlers(
    registered: dict[str, Any], *, anonymous: Iterable[Callable], package: str
) -> dict[str, UploadHandler]:
    """The upload handlers among Reflex's registered event handlers that live in `package`.

    Every one needs a session, except those whose function is in `anonymous`.
    """
    open_to_all = {getattr(fn, "fn", fn) for fn in anonymous}
    found: dict[str, UploadHandler] = {}
    for name, entry in registered.items():
        fn = getattr(getattr(entry, "handler", None), "fn", None)
        if fn is None or not getattr(fn, "__module__", "").startswith(package + "."):
            continue
        described = _describe(name, fn, needs_session=fn not in open_to_all)
        if described is not None:
            found[name] = described
    return found


def check_args(handler: UploadHandler, raw: str | None) -> None:
    """The bound arguments must be a JSON object naming exactly the handler's parameters."""
    try:
        args = json.loads(raw) if raw else {}
    except ValueError as exc:
        raise Refused(400, "The upload's arguments are not valid JSON.") from exc
    if not isinstance(args, dict):
        raise Refused(400, "The upload's arguments must be a JSON object.")
    unknown = sorted(str(k) for k in args if k not in handler.params)
    if unknown:
        raise Refused(400, f"Unknown upload argument: {unknown[0][:64]!r}.")
    missing = sorted(handler.required - args.keys())
    if missing:
        raise Refused(400, f"Missing upload argument: {missing[0]!r}.")
    for name, value in args.items():
        annotation = handler.params[name]
        expected = _JSON_TYPES.get(typing.get_origin(annotation) or annotation)
        if expected is None:
            continue
        if not isinstance(value, expected) or (bool not in expected and isinstance(value, bool)):
            raise Refused(400, f"The upload argument {name!r} has the wrong type.")


def registered_upload_handlers(
    *, anonymous: Iterable[Callable]
) -> Callable[[], dict[str, UploadHandler]]:
    """The app's upload handlers from Reflex's registry, looked up once on the first upload."""
    anonymous = list(anonymous)
    found: dict[str, UploadHandler] = {}

    def get() -> dict[str, UploadHandler]:
        if not found:
            from reflex_base.registry import RegistrationContext

            registered = RegistrationContext.get().event_handlers
            found.update(
                app_upload_handlers(registered, anonymous=anonymous, package="support_portal")
            )
        return found

    return get
