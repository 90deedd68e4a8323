"""A tab's state tree: which of its states can hold viewer data, which session it was loaded
under, and how it is wiped (X2)."""

from __future__ import annotations

import functools
from typing import Any

from reflex.istate.manager.token import BaseStateToken
from reflex.state import BaseState, State
from reflex_base import constants
from reflex_base.utils.format import format_event_handler

# The SessionState class, set by states/base.py (which this module must not import).
_root: list[type[BaseState]] = []


def set_root_state(cls: type[BaseState]) -> None:
    """The state every page's state derives from: its subtree is what can hold viewer data."""
    _root[:] = [cls]
    subtree_classes.cache_clear()


def session_state_cls() -> type[BaseState]:
    if not _root:
        raise RuntimeError("states.base has not registered its SessionState")
    return _root[0]


@functools.cache
def subtree_classes() -> tuple[type[BaseState], ...]:
    """SessionState and every state under it: everything that can hold viewer data."""
    found: list[type[BaseState]] = []
    todo: list[type[BaseState]] = [session_state_cls()]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.get_substates())
    return tuple(found)


@functools.cache
def all_classes() -> tuple[type[BaseState], ...]:
    found: list[type[BaseState]] = []
    todo: list[type[BaseState]] = [State]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.get_substates())
    return tuple(found)


def state_keys(ident: str) -> list[str]:
    """Every Redis key a tab's tree can be stored under."""
    token = BaseStateToken(ident=ident, cls=State)
    return [token._state_key(cls) for cls in all_classes()]


@functools.cache
def hydrate_events() -> frozenset[str]:
    return frozenset(
        format_event_handler(State.event_handlers[name]) for name in ("hydrate", "hydrate_and_load")
    )


def session_of(root: BaseState) -> Any | None:
    """The tree's SessionState when it is loaded (Redis loads only what an event needs)."""
    return root.substates.get(session_state_cls().get_name())


def address_of(root: BaseState) -> str:
    return str((root.router_data or {}).get(constants.RouteVar.CLIENT_IP) or "")


def still_bound_to(root: BaseState, key: str) -> bool:
    """Purging session `key`'s tabs: is this tree still of that session (or of none)? A tab that
    has since loaded another session's data is not that session's to purge."""
    session = session_of(root)
    return not key or session is None or session._session_key in ("", key)


async def wipe_tree(root: BaseState) -> None:
    """Reset every state that can hold viewer data to its defaults (the caller holds the lock).

    Running page loops see a new generation and stop; the next page load starts from nothing.
    """
    for cls in subtree_classes():
        await root.get_state(cls)  # Redis: load what this event did not need
    session = session_of(root)
    if session is not None:
        session.reset()
