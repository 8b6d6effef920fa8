"""State kept in the data directory: paths, crash-safe files, settings, the device
identity, the installed trust bundle and the time floor, the administrator PIN."""
