"""A large, realistic support history generated as row tuples, in id order, for bulk loading.

Shape (for 1,000,000 tickets and 5,000,000 messages): 50 agents and an admin, ~200,000
customers with a skewed number of tickets each, one customer (HEAVY_EMAIL) with 5,000 tickets,
10 % guest tickets, 1 % follow-ups, and one ticket with 500 messages spread over six months
(its rows are interleaved in time with everyone else's, as they would be in production).
Tickets are created evenly over three years; the last ~3 months hold most of the open work:

    open ~4.5 %, awaiting_customer ~1.6 %, resolved ~1.6 %, closed ~92 %

Open tickets whose last message is the customer's have `waiting_since`; 40 % of the open
tickets are unassigned (nobody answered yet), the rest belong to one of the agents.
Everything derives from one seeded `random.Random`, so two runs produce the same data.
Timestamps are formatted from integer microseconds through lookup tables: building
`datetime` objects would cost more than the rest of the row.
"""

from __future__ import annotations

import random
from array import array
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain

HEAVY_EMAIL = "heavy@example.com"
PASSWORD = "benchmark-password"  # every seeded account; lets a live test log in
AGENT_EMAIL = "agent{n:02d}@support.example"
US = 1_000_000
DAY = 86_400 * US
SPAN_DAYS = 3 * 365
RECENT = 0.08  # the newest 8 % of tickets (~3 months) hold most active work
KEY_MIX, KEY_MASK = 0x9E3779B97F4A7C15F39CC0605CEDC835, (1 << 128) - 1  # uuid-like keys
REFERENCE_EVERY = 5  # one message in five quotes a payment reference of its own (search)


def reference(message_id: int) -> str | None:
    """The payment reference a message quotes, e.g. "TX-9F2C-4E1A7B" (unique), or None."""
    if message_id % REFERENCE_EVERY:
        return None
    digest = f"{message_id * KEY_MIX & KEY_MASK:032X}"
    return f"TX-{digest[-4:]}-{digest[-10:-4]}"


STATUSES = ("open", "awaiting_customer", "resolved", "closed")
CATEGORIES = ("account", "deposits_withdrawals", "trading", "security", "other")
# fmt: off
FIRST = (
    "Alice", "Bruno", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana", "Ivan", "Julia",
    "Kofi", "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tomas", "Uma",
    "Viktor", "Wen", "Ximena", "Yusuf", "Zoe",
)
LAST = (
    "Novak", "Smith", "Garcia", "Kim", "Okafor", "Rossi", "Müller", "Silva", "Tanaka", "Dubois",
    "Larsen", "Haddad", "Kowalski", "Nguyen", "Petrov", "Costa", "Ahmed", "Jensen", "Moreau",
    "Santos",
)
SUBJECTS = (
    "Deposit not credited after {n} hours", "Withdrawal pending since yesterday",
    "Cannot log in after password reset", "Two-factor codes are rejected",
    "Order executed at the wrong price", "Where is my transaction {n}?",
    "Please close my account", "Verification documents rejected",
    "Fees on my last trade look wrong", "Card payment declined", "Staking rewards missing",
    "API key stopped working", "Suspicious login from a new device",
    "Wrong network chosen for a transfer", "Limit order was cancelled by itself",
)
SENTENCES = (
    "Hello, thanks for getting back to me.", "I have attached a screenshot of the transfer.",
    "The transaction id is 0x9f2c4e1a and it shows as confirmed on the explorer.",
    "Could you check what happened on your side?", "It has been more than two days now.",
    "We are looking into it with the payments team.", "Thank you for your patience.",
    "Please send the exact time of the transfer and the amount.",
    "The funds have been credited to your balance.", "I tried again this morning, same error.",
    "Our records show the withdrawal was processed at 14:02 UTC.",
    "If the problem comes back, reply here and we will reopen the ticket.",
    "Is there anything else I can help you with?", "The app says: request failed (code 502).",
    "I use the Android app, version 4.12.", "That worked, thank you!",
)
# fmt: on


@dataclass(frozen=True)
class Shape:
    tickets: int = 1_000_000
    messages: int = 5_000_000
    agents: int = 50
    heavy_tickets: int = 5_000
    long_thread: int = 500
    seed: int = 42

    @property
    def customers(self) -> int:
        return max(1, self.tickets // 5)

    def check(self) -> None:
        if self.messages < self.tickets + self.long_thread:
            raise ValueError("need at least one message per ticket plus the long thread")
        if self.tickets < 4 * self.heavy_tickets:
            raise ValueError("the heavy customer must own at most a quarter of the tickets")


class Clock:
    """Integer microseconds since the epoch -> timestamp text, via per-day and per-second
    lookup tables. `suffix` is "+00" for PostgreSQL; SQLite stores naive UTC text."""

    def __init__(self, start: int, days: int, suffix: str) -> None:
        self.start = start - start % DAY
        base = datetime.fromtimestamp(self.start / US, UTC)
        self.days = [(base + timedelta(days=d)).strftime("%Y-%m-%d ") for d in range(days + 2)]
        self.hms = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}." for s in range(86_400)]
        self.suffix = suffix

    def __call__(self, at: int | None) -> str | None:
        if at is None:
            return None
        day, rest = divmod(at - self.start, DAY)
        second, micro = divmod(rest, US)
        return f"{self.days[day]}{self.hms[second]}{micro:06d}{self.suffix}"


def customer_name(n: int) -> str:
    return f"{FIRST[n % len(FIRST)]} {LAST[n // len(FIRST) % len(LAST)]}"


class Dataset:
    """`users()`, `tickets()` then `messages()`: tickets() records what messages() needs."""

    def __init__(self, shape: Shape, *, now: datetime, password_hash: str, suffix: str) -> None:
        shape.check()
        self.shape = shape
        self.now = int(now.timestamp()) * US
        self.start = self.now - SPAN_DAYS * DAY
        self.ts = Clock(self.start, SPAN_DAYS, suffix)
        self.password_hash = password_hash
        self.rng = random.Random(shape.seed)
        self.first_agent = 2  # id 1 is the admin
        self.first_customer = self.first_agent + shape.agents  # the heavy customer
        # Per ticket, for messages(): conversation start/end, message count, author ids.
        n = shape.tickets
        self.created = array("q", bytes(8 * n))
        self.talk_end = array("q", bytes(8 * n))
        self.count = array("q", bytes(8 * n))
        self.requester = array("q", bytes(8 * n))  # a guest: -(guest number + 1)
        self.assignee = array("q", bytes(8 * n))  # 0: nobody
        self.last_by_customer = bytearray(n)
        self.long_index = -1

    # Users ------------------------------------------------------------------------------------

    def users(self) -> Iterator[tuple]:
        at = self.ts(self.start)
        yield (1, "admin@support.example", "Ada Admin", self.password_hash, "admin", True, True,
               None, None, at, at)  # fmt: skip
        for n in range(1, self.shape.agents + 1):
            yield (self.first_agent + n - 1, AGENT_EMAIL.format(n=n), f"Agent {n:02d}",
                   self.password_hash, "agent", True, True, None, None, at, at)  # fmt: skip
        step = SPAN_DAYS * DAY // self.shape.customers
        for n in range(self.shape.customers):
            email = HEAVY_EMAIL if n == 0 else f"customer{n}@example.com"
            joined = self.ts(self.start + n * step)
            yield (self.first_customer + n, email, customer_name(n), self.password_hash,
                   "customer", n % 7 != 0, True, None, None, joined, joined)  # fmt: skip

    # Tickets ----------------------------------------------------------------------------------

    def _counts(self) -> None:
        shape, rng = self.shape, self.rng
        base = shape.messages // shape.tickets
        spread = min(3, base - 1)
        count = self.count
        for i in range(shape.tickets):
            count[i] = base + rng.randint(-spread, spread) if spread > 0 else base
        count[self.long_index] = shape.long_thread
        diff = shape.messages - sum(count)
        while diff:
            i = rng.randrange(shape.tickets)
            if i == self.long_index or (diff < 0 and count[i] <= 1):
                continue
            step = 1 if diff > 0 else -1
            count[i] += step
            diff -= step

    def tickets(self) -> Iterator[tuple]:
        shape, rng, ts = self.shape, self.rng, self.ts
        n = shape.tickets
        heavy_step = n // shape.heavy_tickets
        recent_from = int(n * (1 - RECENT))
        # The long thread: a heavy-customer ticket opened ~six months ago and still open.
        six_months = int(n * (1 - 180 / SPAN_DAYS))
        self.long_index = six_months - six_months % heavy_step
        self._counts()
        slot = (self.now - self.start) // n
        last_of_customer: dict[int, int] = {}
        customers, agents = shape.customers, shape.agents
        for i in range(n):
            r = rng.random
            created = self.start + i * slot + int(r() * slot)
            if i % heavy_step == 0:
                requester = self.first_customer
            elif r() < 0.10:
                requester = 0
            else:
                requester = self.first_customer + 1 + int((customers - 1) * r() ** 1.5)
            guest = int(customers / 10 * r() ** 1.5) if requester == 0 else -1
            if i >= recent_from:
                x = r()
                status = 0 if x < 0.45 else 1 if x < 0.65 else 2 if x < 0.85 else 3
            else:
                status = 0 if r() < 0.01 else 3
            if i == self.long_index:
                status = 0
            active = status < 2
            if status == 0 and r() < 0.4:
                assignee = 0
            else:
                assignee = self.first_agent + int(agents * r() ** 1.3)
            waiting = status == 0 and (assignee == 0 or r() < 0.7)
            talk = int(r() * r() * 5 * DAY)
            if i == self.long_index:
                talk = self.now - 3600 * US - created
            talk_end = max(created, min(created + talk, self.now - int(r() * 3600 * US)))
            resolved_at = closed_at = None
            last_activity = talk_end
            if status >= 2:
                resolved_at = min(talk_end + int(r() * DAY), self.now - US)
                last_activity = resolved_at
                if status == 3 and r() < 0.6:  # auto-closed a week after it was resolved
                    closed_at = resolved_at + 7 * DAY
                    if closed_at > self.now:
                        status, closed_at = 2, None
                elif status == 3:  # closed by an agent
                    closed_at = last_activity = resolved_at
                    resolved_at = None
            if assignee == 0:
                last_by_customer = True
            elif status == 1:
                last_by_customer = False
            else:
                last_by_customer = waiting or (status == 0 and r() < 0.1)
            last_agent_reply = (
                None
                if last_by_customer and assignee == 0
                else talk_end - (0 if not last_by_customer else int(r() * talk / 2))
            )
            read_at = talk_end if r() < 0.8 else (last_agent_reply or created) - US
            follow_up = None
            if requester:
                previous = last_of_customer.get(requester)
                if previous is not None and r() < 0.01:
                    follow_up = previous + 1
                last_of_customer[requester] = i
            self.created[i], self.talk_end[i] = created, talk_end
            self.requester[i] = requester or -guest - 1
            self.assignee[i] = assignee
            self.last_by_customer[i] = last_by_customer
            number = 10_000_000 + (i * 7_777_777 + 1_234_567) % 90_000_000
            subject = SUBJECTS[i % len(SUBJECTS)].format(n=i % 97)
            yield (
                i + 1, number, subject, CATEGORIES[i % 5], STATUSES[status], active,
                requester or None,
                f"guest{guest}@mail.example" if guest >= 0 else None,
                customer_name(guest) if guest >= 0 else None,
                f"{rng.getrandbits(128):032x}" if guest >= 0 else None,
                None, assignee or None, follow_up,
                ts(created), ts(last_activity), ts(last_activity),
                ts(talk_end) if waiting else None, ts(last_agent_reply), ts(read_at),
                ts(resolved_at), ts(closed_at), self.count[i],
            )  # fmt: skip

    # Messages ---------------------------------------------------------------------------------

    def messages(self) -> Iterator[tuple]:
        """Ids in time order as production would give them: the long thread's messages are
        spread between everyone else's (so its rows are scattered over the table)."""
        ts, created, long_index = self.ts, self.created, self.long_index
        bodies = self._bodies()

        def body(message_id: int) -> str:
            quoted = reference(message_id)
            text = bodies[message_id % 4096]
            return f"{text} Payment reference {quoted}." if quoted else text

        pending = deque(self._thread(long_index))
        message_id = 0
        for i in range(self.shape.tickets):
            if i == long_index:
                continue
            rows = self._thread(i)
            if pending and pending[0][1] <= created[i]:
                rows = chain(self._due(pending, created[i]), rows)
            for ticket_id, at, kind, author, name, internal in rows:
                message_id += 1
                yield (message_id, ticket_id, kind, author, name, body(message_id),
                       internal, f"{message_id * KEY_MIX & KEY_MASK:032x}", ts(at))  # fmt: skip
        for ticket_id, at, kind, author, name, internal in pending:
            message_id += 1
            yield (message_id, ticket_id, kind, author, name, body(message_id),
                   internal, f"{message_id * KEY_MIX & KEY_MASK:032x}", ts(at))  # fmt: skip

    @staticmethod
    def _due(pending: deque, until: int) -> Iterator[tuple]:
        while pending and pending[0][1] <= until:
            yield pending.popleft()

    def _thread(self, i: int) -> Iterator[tuple]:
        """(ticket_id, at, author_kind, author_id, author_name, is_internal), oldest first."""
        k, ticket_id = self.count[i], i + 1
        start, end = self.created[i], self.talk_end[i]
        requester, assignee = self.requester[i], self.assignee[i]
        if requester > 0:
            customer_id, customer = requester, customer_name(requester - self.first_customer)
        else:  # a guest: -(guest number + 1)
            customer_id, customer = None, customer_name(-requester - 1)
        agent = f"Agent {assignee - self.first_agent + 1:02d}"
        gap = (end - start) // max(1, k - 1)
        by_customer = self.last_by_customer[i]
        for j in range(k - 1, -1, -1):  # authors alternate backwards from the last message
            at = start + (k - 1 - j) * gap if j else end
            if j == k - 1 or not assignee or (j % 2 == 0) == bool(by_customer):
                yield ticket_id, at, "customer", customer_id, customer, False
            else:
                yield ticket_id, at, "agent", assignee, agent, (ticket_id + j) % 17 == 0

    def _bodies(self) -> list[str]:
        rng = random.Random(self.shape.seed + 1)
        bodies = []
        for _ in range(4096):
            parts = rng.choices(SENTENCES, k=rng.choice((1, 2, 3, 4, 6, 9)))
            bodies.append("\n\n".join(" ".join(parts[k : k + 3]) for k in range(0, len(parts), 3)))
        return bodies
