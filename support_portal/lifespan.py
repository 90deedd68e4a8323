"""Background services that live as long as the app: mail catcher, mail sender, and the hourly
auto-close and cleanup of short-lived rows."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging

from support_portal.settings import get_settings

log = logging.getLogger(__name__)
AUTO_CLOSE_EVERY = 3600.0
PRUNE_EVERY = 3600.0


@contextlib.asynccontextmanager
async def mail_services():
    from support_portal.mail.catcher import MailCatcher
    from support_portal.mail.sender import OutboxSender

    settings = get_settings()
    catcher = MailCatcher(settings)
    catcher.start()
    stop = asyncio.Event()
    task = None
    if settings.mail_sender_in_app:
        task = asyncio.create_task(OutboxSender(settings).run_forever(stop))
    try:
        yield
    finally:
        stop.set()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        catcher.stop()


async def auto_close_loop() -> None:
    from support_portal.db import session_scope
    from support_portal.services.reminders import run_due

    while True:
        try:

            def run() -> dict[str, list[int]]:
                with session_scope() as db:
                    return run_due(db)

            done = await asyncio.to_thread(run)
            for what, numbers in done.items():
                if numbers:
                    log.info("%s %d tickets", what, len(numbers))
        except Exception:
            log.exception("the ticket cleanup job failed")
        await asyncio.sleep(AUTO_CLOSE_EVERY)


async def prune_loop() -> None:
    """Delete rate events, sessions, login tickets and codes past their retention (X11)."""
    from support_portal.db import session_scope
    from support_portal.services.retention import prune

    while True:
        try:

            def run() -> dict[str, int]:
                with session_scope() as db:
                    return prune(db)

            deleted = await asyncio.to_thread(run)
            if any(deleted.values()):
                log.info("pruned old rows: %s", deleted)
        except Exception:
            log.exception("pruning old rows failed")
        await asyncio.sleep(PRUNE_EVERY)


# The cyclic garbage collector's young generation runs after this many new container objects
# (Python's default is 700). With 1000 open pages in one process a full collection took 0.3-0.4 s
# and stalled every live update meanwhile; collecting less often, and never walking the objects
# alive since start-up, made such stalls rare (docs/benchmarks.md, "Live updates").
GC_YOUNG_THRESHOLD = 20_000


async def tune_gc() -> None:
    """Once per process, when it starts serving: the app, its pages and its compiled frontend
    routes live as long as the process, so the collector need not walk them again."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, oldest)


def register(app) -> None:
    from support_portal import logs, webhook_sender
    from support_portal.live.redis_bridge import bridge

    logs.configure(get_settings().log_format)  # each worker, once, as it loads the app

    # First, so live events cross workers before anything else publishes (REDIS_URL only).
    app.register_lifespan_task(bridge)
    app.register_lifespan_task(mail_services)
    app.register_lifespan_task(webhook_sender.in_app)
    app.register_lifespan_task(auto_close_loop)
    app.register_lifespan_task(prune_loop)
    app.register_lifespan_task(tune_gc)
