"""Plain HTTP routes beside the Reflex app: cookie exchange, logout, downloads, dev mailbox."""
