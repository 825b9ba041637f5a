"""The project's signing key: an RSA key pair made by the nanopub toolkit on first use.

Kept in ``$KG_KEYS`` (default ``./var/keys``; ``var/`` is gitignored) as ``nanopub_rsa``
(private, PKCS#8 base64, mode 0600) and ``nanopub_rsa.pub``. Whoever holds it can sign in the
project's name: it never goes into git, a dump or a release.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from kg import settings as kg_settings

if TYPE_CHECKING:
    from nanopub_sign import NpProfile  # untyped (a compiled module): Any to mypy

PRIVATE, PUBLIC = "nanopub_rsa", "nanopub_rsa.pub"


def keys_dir() -> Path:
    """``KG_KEYS`` (the settings table)."""
    return Path(kg_settings.get("KEYS"))


@lru_cache(maxsize=4)
def _private_key(folder: str) -> str:
    import nanopub_sign

    path = Path(folder) / PRIVATE
    if path.is_file():
        return path.read_text(encoding="ascii").strip()
    pair = nanopub_sign.KeyPair()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(pair.private + "\n")
    try:
        os.link(tmp, path)  # never replaces a key: two builds racing both keep the first one
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    private = path.read_text(encoding="ascii").strip()
    if private == pair.private:  # ours won: publish its public half beside it
        (Path(folder) / PUBLIC).write_text(pair.public + "\n", encoding="ascii")
    return private


def private_key(folder: Path | None = None) -> str:
    """The project's private key (PKCS#8, base64), made if missing."""
    return _private_key(str((folder or keys_dir()).resolve()))


def profile(folder: Path | None = None) -> NpProfile:
    """The toolkit's signing profile for the project key (made if missing)."""
    import nanopub_sign

    return nanopub_sign.NpProfile(_private_key(str((folder or keys_dir()).resolve())))


def key_id(folder: Path | None = None) -> str:
    """A short id of the project key (which signing cache belongs to it)."""
    import hashlib

    private = _private_key(str((folder or keys_dir()).resolve()))
    return hashlib.sha256(private.encode("ascii")).hexdigest()[:16]
