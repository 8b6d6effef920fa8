"""scanner_app: an offline-first checkpoint scanner for signed COVID cards (EU DCC / Thẻ Covid)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("scanner-app")
except PackageNotFoundError:  # running from a frozen build or a bare checkout
    __version__ = "0.1.0"
