"""Sync with the district hub: outbox relay, bundle download, enrollment, sneakernet files."""
