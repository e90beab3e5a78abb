"""Ed25519 checkpoint signing keys, kept in a directory outside the database.

Layout of the key directory (the Django side passes the path from its settings)::

    current                  the key id of the active key (text)
    private/<key_id>.pem     PKCS#8 PEM private key, mode 0600 (directory mode 0700)
    public/<key_id>.pub      the raw 32-byte public key as hex text

``key_id`` is the first 16 hex characters of SHA-256 of the raw public key, so a key id names exactly
one public key and anyone can check the pairing. Rotation writes a new key and points ``current`` at
it; old public keys (and private keys) stay, so checkpoints signed before the rotation still verify.
Someone who can read the database but not this directory cannot forge a checkpoint.

No Django here: the offline verifier and tests use it with a plain path. So an error's text is an
English msgid marked with ``_`` (which only marks it) and its parameters; ``str(error)`` is the
English, and a command translates ``error.message % error.params`` through the catalogue.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

__all__ = [
    "KeyPair",
    "KeyStoreError",
    "ensure_key",
    "key_id_for",
    "load_current",
    "load_key",
    "public_keys",
    "rotate_key",
]

_KEY_ID = re.compile(r"^[0-9a-f]{16}$")


def _(message: str) -> str:
    """Marks an English message for the catalogue; it is translated where it is shown (no Django here)."""
    return message


class KeyStoreError(Exception):
    """The key directory is missing a file, or holds one that does not match its name.

    ``message`` is an English msgid with ``%(name)s`` placeholders, ``params`` their values."""

    def __init__(self, message: str, **params: object) -> None:
        self.message, self.params = message, params
        super().__init__(message % params)


def key_id_for(public_key: bytes) -> str:
    """The key id of a raw 32-byte Ed25519 public key: first 16 hex characters of its SHA-256."""
    return hashlib.sha256(public_key).hexdigest()[:16]


@dataclass(frozen=True)
class KeyPair:
    key_id: str
    private_key: Ed25519PrivateKey = field(repr=False)
    public_key: bytes  # raw 32 bytes

    @property
    def public_key_hex(self) -> str:
        return self.public_key.hex()

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)

    @classmethod
    def from_private_key(cls, private_key: Ed25519PrivateKey) -> KeyPair:
        raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return cls(key_id=key_id_for(raw), private_key=private_key, public_key=raw)


def _dirs(directory: Path) -> tuple[Path, Path]:
    directory = Path(directory)
    private, public = directory / "private", directory / "public"
    directory.mkdir(parents=True, exist_ok=True)
    private.mkdir(mode=0o700, exist_ok=True)
    os.chmod(private, 0o700)
    public.mkdir(exist_ok=True)
    return private, public


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Write a file that must not exist yet, created with ``mode`` (never wider, whatever the umask)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(fd, mode)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _generate(directory: Path) -> KeyPair:
    """A new key pair written to the directory; does not touch ``current``."""
    private_dir, public_dir = _dirs(directory)
    pair = KeyPair.from_private_key(Ed25519PrivateKey.generate())
    pem = pair.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write_new(private_dir / f"{pair.key_id}.pem", pem, 0o600)
    _write_new(public_dir / f"{pair.key_id}.pub", (pair.public_key_hex + "\n").encode("ascii"), 0o644)
    return pair


def _current_temp(directory: Path, key_id: str) -> str:
    fd, tmp = tempfile.mkstemp(prefix=".current.", dir=directory)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key_id + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return tmp


def load_key(directory: Path, key_id: str) -> KeyPair:
    """The key pair ``key_id`` from the directory, checked against its public key file."""
    if not _KEY_ID.match(key_id):
        raise KeyStoreError(_("not a key id: %(key_id)s"), key_id=repr(key_id))
    path = Path(directory) / "private" / f"{key_id}.pem"
    try:
        private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError as exc:
        raise KeyStoreError(_("private key %(key_id)s missing: %(path)s"), key_id=key_id, path=path) from exc
    except (ValueError, TypeError) as exc:
        raise KeyStoreError(_("private key %(key_id)s unreadable: %(path)s"), key_id=key_id, path=path) from exc
    if not isinstance(private_key, Ed25519PrivateKey):
        raise KeyStoreError(_("private key %(key_id)s is not an Ed25519 key"), key_id=key_id)
    pair = KeyPair.from_private_key(private_key)
    if pair.key_id != key_id:
        raise KeyStoreError(_("private key file %(file)s holds key %(key_id)s"), file=path.name, key_id=pair.key_id)
    published = public_keys(directory).get(key_id)
    if published != pair.public_key:
        raise KeyStoreError(
            _("public key file of %(key_id)s is missing or does not match its private key"), key_id=key_id
        )
    return pair


def load_current(directory: Path) -> KeyPair:
    """The active key pair; KeyStoreError if there is none (see ``ensure_key``)."""
    try:
        key_id = (Path(directory) / "current").read_text(encoding="ascii").strip()
    except FileNotFoundError as exc:
        raise KeyStoreError(_("no current key in %(directory)s"), directory=directory) from exc
    return load_key(directory, key_id)


def ensure_key(directory: Path) -> KeyPair:
    """The active key pair, generating the first one if the directory has none.

    Safe against two processes starting at once: ``current`` is created with an exclusive link, so
    only one new key becomes current and the other process loads it.
    """
    directory = Path(directory)
    current = directory / "current"
    if current.exists():
        return load_current(directory)
    pair = _generate(directory)
    tmp = _current_temp(directory, pair.key_id)
    try:
        try:
            os.link(tmp, current)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: an exclusive create instead
            _write_new(current, (pair.key_id + "\n").encode("ascii"), 0o644)
    except FileExistsError:
        return load_current(directory)  # another process won; its key is the current one
    finally:
        os.unlink(tmp)
    return pair


def rotate_key(directory: Path) -> KeyPair:
    """A new key pair that becomes current; the old keys stay so old checkpoints still verify."""
    directory = Path(directory)
    pair = _generate(directory)
    tmp = _current_temp(directory, pair.key_id)
    os.replace(tmp, directory / "current")
    return pair


def public_keys(directory: Path) -> dict[str, bytes]:
    """Every public key in the directory, old and current: {key_id: raw 32 bytes}.

    KeyStoreError if a file's name is not the key id of the key it holds.
    """
    keys: dict[str, bytes] = {}
    public_dir = Path(directory) / "public"
    if not public_dir.is_dir():
        return keys
    for path in sorted(public_dir.glob("*.pub")):
        key_id = path.stem
        try:
            raw = bytes.fromhex(path.read_text(encoding="ascii").strip())
        except (ValueError, UnicodeDecodeError) as exc:
            raise KeyStoreError(_("public key file %(file)s is not hex"), file=path.name) from exc
        if len(raw) != 32:
            raise KeyStoreError(_("public key file %(file)s does not hold 32 bytes"), file=path.name)
        if key_id_for(raw) != key_id:
            raise KeyStoreError(
                _("public key file %(file)s holds key %(key_id)s"), file=path.name, key_id=key_id_for(raw)
            )
        keys[key_id] = raw
    return keys
