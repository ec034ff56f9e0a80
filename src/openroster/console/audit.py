"""Console changes on the audit log (`openroster.audit`): who (the account), what, and to which object."""

from __future__ import annotations

import json

from openroster.api.audit import MAX_TEXT, audit, bounded


def audit_change(account: str, action: str, target: str, **details: object) -> None:
    """Log one change made in the console; never a secret or a password."""
    entry: dict[str, object] = {
        "console": bounded(account, MAX_TEXT),
        "action": action,
        "target": bounded(target, MAX_TEXT),
        **details,
    }
    audit.info(
        json.dumps(entry, ensure_ascii=True, separators=(",", ":")),
        extra={"fields": entry, "summary": f"console {account} {action} {target}"},
    )
