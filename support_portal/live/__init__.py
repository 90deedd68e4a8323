"""Live updates: services publish small events after commit; open pages subscribe."""
