"""The REST API (`/api/v1`) and the operations endpoints (`/metrics`, `/readyz`).

Its own layer: it calls services (the same functions the UI's states call, so audit events,
notifications, emails and live events are the same) and never imports the UI's states, pages
or components. `build_api_app()` is mounted in front of the Reflex app through
`api_transformer`.
"""
