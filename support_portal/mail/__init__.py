"""Notification-only emails: rendering, the outbox sender and the development mail catcher."""
