"""scanner_hub: the reference district hub the scanners sync with.

It enrolls devices, publishes the signed trust bundle, ingests signed check batches
idempotently (key `(device_id, seq)`, forever), continues each device's hash chain, and
exports across checkpoints. SQLite is the embedded default; PostgreSQL (daily partitions)
is the production store.
"""
