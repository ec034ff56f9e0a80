"""The server key: loaded from configuration or a key file, and the sub-keys derived from it.

One random master key (OPENROSTER_SECRET_KEY, or the key file) signs access tokens and seals
the OAuth 1.0a shared secrets stored in the database; each use gets its own HKDF-derived key.
Every server process of a deployment must see the same master key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from openroster.errors import ConfigurationError

MIN_KEY_BYTES = 32


def generate_master_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(MIN_KEY_BYTES)).decode().rstrip("=")


def _decode(text: str, origin: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except ValueError:
        raw = b""
    if len(raw) < MIN_KEY_BYTES:
        raise ConfigurationError(
            f"The server key in {origin} is not {MIN_KEY_BYTES} or more random bytes in URL-safe "
            f"base64. Generate one with: python -c 'import secrets,base64; "
            f"print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())'"
        )
    return raw


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"openroster " + purpose).derive(master)


@dataclass(frozen=True)
class ServerKeys:
    token_signing: bytes  # HS256 key for access tokens
    _sealing: bytes
    _log_tags: bytes
    console_forms: bytes  # binds the console's sign-in form token to its cookie

    @classmethod
    def from_master(cls, master: bytes) -> ServerKeys:
        return cls(
            _derive(master, b"access tokens"),
            _derive(master, b"sealed secrets"),
            _derive(master, b"log tags"),
            _derive(master, b"console forms"),
        )

    def log_tag(self, claimed: str) -> str:
        """A short keyed fingerprint of an unauthenticated claimed client id, for the audit log.

        The same claim always gives the same tag (so repeated failures can be told apart and
        counted), but a tag cannot be turned back into the claim, nor checked against guesses
        without the server key: a client that sent its secret as its id never has it logged.
        """
        return (
            "tag:"
            + hmac.new(self._log_tags, claimed.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:12]
        )

    def seal(self, secret: str) -> str:
        return Fernet(base64.urlsafe_b64encode(self._sealing)).encrypt(secret.encode()).decode()

    def unseal(self, sealed: str) -> str:
        try:
            return Fernet(base64.urlsafe_b64encode(self._sealing)).decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise ConfigurationError(
                "A stored client secret cannot be decrypted with this server key: the key changed "
                "since the client was created. Restore the key, or give the client a new secret "
                "with: openroster clients rotate-secret CLIENT_ID"
            ) from None


def load_keys(key: str, key_file: Path, *, create: bool) -> ServerKeys:
    """Keys from `key` (the OPENROSTER_SECRET_KEY value) or else `key_file`.

    With `create`, a missing key file is generated (readable by its owner only).
    """
    if key:
        return ServerKeys.from_master(_decode(key, "OPENROSTER_SECRET_KEY"))
    if not key_file.exists():
        if not create:
            raise ConfigurationError(
                f"No server key: set OPENROSTER_SECRET_KEY, or create {key_file} by adding a client "
                f"with: openroster clients add NAME"
            )
        key_file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(generate_master_key() + "\n")
    return ServerKeys.from_master(_decode(key_file.read_text(), str(key_file)))
