"""What an import did, table by table, and every legacy row it left out with the reason."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Skipped:
    table: str
    legacy_id: str
    reason: str


@dataclass
class ImportReport:
    """Counts of legacy rows read, of rows created here and of rows a previous run had imported already."""

    dry_run: bool
    read: Counter[str] = field(default_factory=Counter)
    created: Counter[str] = field(default_factory=Counter)
    already_imported: Counter[str] = field(default_factory=Counter)
    skipped: list[Skipped] = field(default_factory=list)
    without_password: list[str] = field(default_factory=list)
    """E-mails of the users created here: their password is random, so each needs one set before signing in."""

    def skip(self, table: str, legacy_id: str, reason: str) -> None:
        self.skipped.append(Skipped(table, legacy_id, reason))

    def to_json(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "read": dict(sorted(self.read.items())),
            "created": dict(sorted(self.created.items())),
            "already_imported": dict(sorted(self.already_imported.items())),
            "skipped": [{"table": row.table, "id": row.legacy_id, "reason": row.reason} for row in self.skipped],
            "users_without_password": sorted(self.without_password),
        }

    def lines(self) -> list[str]:
        """The report for a person: counts per table, each skipped row, then the users who need a password."""
        verb = "would create" if self.dry_run else "created"
        tables = sorted(set(self.read) | set(self.created) | set(self.already_imported))
        lines = [
            f"{table}: read {self.read[table]}, {verb} {self.created[table]}, "
            f"already imported {self.already_imported[table]}"
            for table in tables
        ]
        lines.append(f"skipped: {len(self.skipped)}")
        lines += [f"  {row.table} {row.legacy_id}: {row.reason}" for row in self.skipped]
        if self.without_password:
            lines.append(
                f"users without a password: {len(self.without_password)} "
                "(give each one with `buildtrace user set-password EMAIL`)"
            )
            lines += [f"  {email}" for email in sorted(self.without_password)]
        return lines
