"""The check log: SQLite through sqlite-utils, durable (WAL + synchronous=FULL), private
(hashes instead of identities), tamper-evident (a hash chain), exportable."""
