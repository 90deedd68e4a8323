"""admin pages (see the issue that owns them)."""
