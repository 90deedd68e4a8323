"""Domain rules in plain Python over SQLModel. Never imports Reflex."""
