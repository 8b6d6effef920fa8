"""`audit verify`: the log's hash chain walked from its anchor to its head, then checked
against what the log's own tables do not control — the hub's newest signed receipt, which
names the highest record the hub holds and that record's hash. Deleting or rewriting
records the hub already confirmed shows even when the whole local chain was rewritten."""

from __future__ import annotations

from dataclasses import dataclass

from scanner_app.core.chain import ChainReport
from scanner_app.local.device import Receipt
from scanner_app.store.checks import CheckStore


@dataclass(frozen=True)
class AuditReport:
    chain: ChainReport
    receipt: Receipt | None
    receipt_problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.chain.ok and self.receipt_problem is None

    def describe(self) -> str:
        lines = [self.chain.describe()]
        if self.receipt is None:
            lines.append("no signed receipt from a hub to check against (not enrolled, or nothing sent yet)")
        elif self.receipt_problem:
            lines.append(
                f"DOES NOT MATCH the hub's signed receipt of {self.receipt.hub_time}: {self.receipt_problem}"
            )
        else:
            lines.append(
                f"matches the hub's signed receipt of {self.receipt.hub_time} "
                f"(records up to seq {self.receipt.head_seq})"
            )
        return "\n".join(lines)


def audit(store: CheckStore, receipt: Receipt | None) -> AuditReport:
    chain = store.verify()
    if receipt is None or receipt.head_seq is None:
        return AuditReport(chain, receipt)
    head = store.head()
    if head is None or head[0] < receipt.head_seq:
        return AuditReport(chain, receipt, f"the log ends before seq {receipt.head_seq}, which the hub holds")
    row = store.db.execute("select row_hash from checks where seq = ?", [receipt.head_seq]).fetchone()
    if row is not None and row[0] != receipt.head_hash:
        return AuditReport(chain, receipt, f"record {receipt.head_seq} differs from the one the hub holds")
    return AuditReport(chain, receipt)
