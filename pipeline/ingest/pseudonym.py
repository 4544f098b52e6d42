"""Keyed pseudonyms: a stable stand-in for an id that carries personal data, unreadable without this installation's secret.

An unsalted hash of a phone number can be reversed by hashing every phone number (there are only
about 10^10); HMAC-SHA256 with a secret that never leaves the installation cannot. The secret is 32
random bytes in the file named by the `ZHIJIAN_SECRET_PATH` setting (default ~/.zhijian/secret),
created with mode 0600 on first use and kept outside the store, so a copy of the store alone
reveals nothing. The same installation gives the same pseudonym on every run (re-runs stay
idempotent); a new secret gives new pseudonyms for the same people.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from pipeline.errors import RunError

SECRET_BYTES = 32
_cache: dict[Path, bytes] = {}


def installation_secret(path: Path | None = None) -> bytes:
    """This installation's secret, created (0600, 32 random bytes) when it does not exist yet."""
    if path is None:
        from pipeline.settings import get_settings

        path = get_settings().secret_path
    path = Path(path).expanduser()
    cached = _cache.get(path)
    if cached is not None:
        return cached
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process created it a moment ago: use theirs
                pass
            else:
                with os.fdopen(fd, "wb") as f:
                    f.write(secrets.token_bytes(SECRET_BYTES))
        secret = path.read_bytes()
    except OSError as exc:
        raise RunError(f"cannot read or create the pseudonym secret {path} ({exc.strerror or exc}) — "
                       "make its folder writable, or point ZHIJIAN_SECRET_PATH at a file this user can write") from None
    if len(secret) < 16:
        raise RunError(f"the pseudonym secret {path} holds {len(secret)} bytes, too few to be a secret — restore it "
                       "from your backup (a new one changes every customer pseudonym), or delete it to start afresh")
    _cache[path] = secret
    return secret


def pseudonym(value: str, prefix: str = "cust_", length: int = 12) -> str:
    """`prefix` + the first `length` hex digits of HMAC-SHA256(secret, value); stable on one installation."""
    digest = hmac.new(installation_secret(), value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
    return prefix + digest[:length]
