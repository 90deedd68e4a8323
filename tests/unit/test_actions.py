"""The steps every action handler shares (states/actions.py), without Reflex: a plain object
stands in for the state, and the use cases run on the test's database."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from support_portal.services import unit_of_work
from support_portal.services.errors import InvalidInput, NotFound
from support_portal.states.actions import Outcome, attempt


class FakeState:
    """The few things `attempt` uses of a state."""

    def __init__(self, viewer=None) -> None:
        self.busy = False
        self.step = ""
        self.error = ""
        self.viewer = viewer

    async def _viewer(self):
        return self.viewer

    def _t(self, message: str, **params) -> str:
        return "t:" + message

    def _error_text(self, exc) -> str:
        return "e:" + exc.message

    def _login_redirect(self) -> str:
        return "redirect:/login"


@pytest.fixture(autouse=True)
def run_on_test_db(db, monkeypatch):
    """`call` opens the app's transaction scope: give it the test's session instead."""

    @contextmanager
    def scope():
        yield db

    monkeypatch.setattr(unit_of_work, "session_scope", scope)


def run(state, outcome, use_case, **kwargs) -> list:
    """Drive the handler's generator as Reflex would; the busy flag as seen at each update."""

    async def drive():
        seen = []
        async for update in attempt(state, outcome, use_case, **kwargs):
            seen.append((update, state.busy or state.step))
        return seen

    # Its own thread: a browser test in the same run may hold this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, drive()).result()


def test_success_shows_busy_first_then_clears_it_and_keeps_the_result():
    state, done = FakeState(), Outcome()
    state.error = "an old error"
    calls = []

    def use_case(db, *, number):
        calls.append((db is not None, number))
        return number * 2

    seen = run(state, done, use_case, busy="busy", number=21)

    assert seen == [(None, True)]  # the first update shows the busy state, error cleared
    assert calls == [(True, 21)]
    assert done.ok and done.value == 42
    assert state.busy is False and state.error == ""


def test_a_second_click_while_busy_does_nothing():
    state, done = FakeState(), Outcome()
    state.busy = True
    seen = run(state, done, lambda db: pytest.fail("must not run"), busy="busy")
    assert seen == [] and not done.ran and not done.ok and state.busy is True


def test_domain_error_is_shown_and_kept_and_busy_cleared():
    state, done = FakeState(), Outcome()

    def use_case(db):
        raise NotFound()

    run(state, done, use_case, busy="busy")
    assert isinstance(done.error, NotFound) and not done.ok
    assert state.error == "e:" + NotFound.message and state.busy is False


def test_input_cleaning_errors_show_like_service_errors_and_nothing_runs():
    state, done = FakeState(), Outcome()

    def bad_input():
        raise InvalidInput("Enter the 6-digit code.", field="code")

    run(state, done, lambda db, **kw: pytest.fail("must not run"), busy="busy", inputs=bad_input)
    assert isinstance(done.error, InvalidInput) and state.error == "e:Enter the 6-digit code."


def test_the_session_is_reread_and_passed_as_viewer():
    state, done = FakeState(viewer="the viewer"), Outcome()
    run(state, done, lambda db, *, viewer: viewer.upper(), busy="busy", viewer=True)
    assert done.value == "THE VIEWER" and done.viewer == "the viewer"


def test_ended_session_redirects_to_login_without_running():
    state, done = FakeState(viewer=None), Outcome()
    seen = run(state, done, lambda db, **kw: pytest.fail("must not run"), busy="busy", viewer=True)
    assert seen[-1][0] == "redirect:/login" and not done.ran and state.busy is False


def test_ended_session_with_a_text_says_so_instead():
    state, done = FakeState(viewer=None), Outcome()
    seen = run(
        state, done, lambda db, **kw: None, busy="busy", viewer=True, ended_text="Log in again."
    )
    assert [u for u, _ in seen] == [None] and state.error == "t:Log in again."


def test_optional_viewer_runs_without_a_session():
    state, done = FakeState(viewer=None), Outcome()
    run(state, done, lambda db, *, viewer: viewer is None, busy="busy", viewer="optional")
    assert done.ok and done.value is True


def test_unexpected_failure_shows_the_given_text_or_raises():
    def broken(db):
        raise RuntimeError("database is locked")

    state, done = FakeState(), Outcome()
    run(state, done, broken, busy="busy", failed_text="Could not send.")
    assert done.failed and not done.ok and state.error == "t:Could not send."
    assert state.busy is False

    state, done = FakeState(), Outcome()
    with pytest.raises(RuntimeError):
        run(state, done, broken, busy="busy")
    assert state.busy is False  # never left spinning


def test_keep_busy_after_success_only_and_named_busy_values():
    state, done = FakeState(), Outcome()
    seen = run(state, done, lambda db: 1, busy="step", busy_value="assign", keep_busy=True)
    assert seen == [(None, "assign")] and state.step == "assign"  # the page is about to change

    state, done = FakeState(), Outcome()
    run(state, done, lambda db: (_ for _ in ()).throw(NotFound()), busy="step", busy_value="x")
    assert state.step == ""


def test_a_field_error_shows_under_its_field_only():
    state, done = FakeState(), Outcome()
    state.field_errors = {"old": "stale"}

    def use_case(db):
        raise InvalidInput("Too short.", field="password")

    run(state, done, use_case, busy="busy", field_errors="field_errors")
    assert state.field_errors == {"password": "e:Too short."} and state.error == ""

    state, done = FakeState(), Outcome()
    state.field_errors = {"old": "stale"}
    run(state, done, lambda db: (_ for _ in ()).throw(NotFound()), busy="busy",
        field_errors="field_errors")  # fmt: skip
    assert state.field_errors == {} and state.error == "e:" + NotFound.message
