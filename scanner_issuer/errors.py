"""The one error type the issuer's commands report to the operator (exit status 2)."""

from __future__ import annotations


class IssuerError(Exception):
    """Something the operator must fix: a missing PIN, a wrong token, an unreadable file.

    Nothing is signed or written when it is raised part-way through a command.
    """
