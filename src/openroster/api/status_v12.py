"""The OneRoster 1.2 status payload: the whole body of every error a 1.2 endpoint answers (spec §5).

1.2 spells its codeMinor tokens differently from 1.1 (`unknownobject`, not `unknown object`)
and puts one status object, with `imsx_CodeMinor`, where 1.1 had a `statusInfoSet` array.
Errors are raised once, as 1.1 names them (errors.py); this module says them the 1.2 way.
"""

from __future__ import annotations

from typing import Any

import orjson

from openroster.errors import StatusInfo
from openroster.model.v12 import CODE_MINOR

# 1.1 tokens that 1.2 spells otherwise (its vocabulary: v12.CODE_MINOR).
_TOKENS = {
    "invalid data": "invaliddata",
    "unknown object": "unknownobject",
    "unauthorized": "unauthorisedrequest",
    "internal server error": "internal_server_error",
    "invalid_blank_selection_field": "invalid_selection_field",
}


def code_minor_v12(http_status: int, code_minor: str, *, gradebook: bool) -> str | None:
    """The 1.2 token for an error (None: the vocabulary has none, as rostering's for 405)."""
    if http_status == 405:
        return "unsupported" if gradebook else None
    token = _TOKENS.get(code_minor, code_minor)
    if token in CODE_MINOR:
        return token
    return "internal_server_error" if http_status >= 500 else "invaliddata"


def status_body_v12(http_status: int, info: StatusInfo, *, gradebook: bool) -> bytes:
    """The 1.2 error body: codeMajor, severity, description and (where the service's vocabulary
    has one) codeMinor."""
    token = code_minor_v12(http_status, info.code_minor, gradebook=gradebook)
    body: dict[str, Any] = {
        # A method a path does not take is 1.2's `unsupported`; everything else failed.
        "imsx_codeMajor": "unsupported" if http_status == 405 else "failure",
        "imsx_severity": "error",
        "imsx_description": info.description,
    }
    if token is not None:
        body["imsx_CodeMinor"] = {
            "imsx_codeMinorField": [
                {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": token}
            ]
        }
    return orjson.dumps(body)
