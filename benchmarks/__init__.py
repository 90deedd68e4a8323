"""Benchmarks: never collected by pytest (they need a large database). See docs/benchmarks.md."""
