"""Timing and plan helpers shared by the benchmarks."""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, is_dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p95_ms: float
    runs: int

    def __str__(self) -> str:
        return f"{self.median_ms:.2f} / {self.p95_ms:.2f}"


def measure(engine: sa.Engine, call: Callable[[Session], Any], *, repeat: int) -> Timing:
    """Median and p95 of `call(db)`, each run in a fresh session (so a fresh transaction, as a
    request would have), after a few warm-up runs. Only the call itself is timed."""
    samples = []
    for n in range(repeat + 3):
        with Session(engine, expire_on_commit=False) as db:
            start = time.perf_counter()
            call(db)
            elapsed = time.perf_counter() - start
            db.rollback()
        if n >= 3:
            samples.append(elapsed * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return Timing(statistics.median(samples), p95, len(samples))


@contextmanager
def captured(engine: sa.Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every (statement, parameters) the engine executes inside the block."""
    seen: list[tuple[str, Any]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def explain(engine: sa.Engine, statement: str, parameters: Any) -> dict:
    """The plan of one captured statement: node types, indexes, buffers and time."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            sql = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement
            [plan] = conn.exec_driver_sql(sql, parameters).scalar_one()
            conn.rollback()
            return {
                "nodes": _nodes(plan["Plan"]),
                "ms": round(plan["Execution Time"], 3),
                "shared_hit": plan["Plan"].get("Shared Hit Blocks", 0),
                "shared_read": plan["Plan"].get("Shared Read Blocks", 0),
            }
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        conn.rollback()
        return {"nodes": " ; ".join(row[-1] for row in rows)}


def _nodes(node: dict, depth: int = 0) -> str:
    """'Limit > Index Scan Backward (ix_x)' with children of a join in brackets."""
    label = node["Node Type"]
    if node.get("Scan Direction") == "Backward":
        label += " Backward"
    if "Index Name" in node:
        label += f" ({node['Index Name']})"
    elif "Relation Name" in node:
        label += f" ({node['Relation Name']})"
    children = [_nodes(child, depth + 1) for child in node.get("Plans", [])]
    if not children:
        return label
    if len(children) == 1:
        return f"{label} > {children[0]}"
    return f"{label} [{' | '.join(children)}]"


def machine() -> dict:
    return {"cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()]}


def dump(path: str, data: dict) -> None:
    with open(path, "w") as fh:
        json.dump(data, fh, indent=2, default=lambda o: asdict(o) if is_dataclass(o) else str(o))
        fh.write("\n")
