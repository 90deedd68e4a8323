"""Thin Reflex states: read the session, call a service, keep its DTOs, show its errors."""
