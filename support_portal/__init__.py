"""support_portal: a self-hosted customer support portal."""
