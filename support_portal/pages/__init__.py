"""One module per page: a route, a layout and an on_load. No logic."""
