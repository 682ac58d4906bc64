"""Encryption of backup archives (DJANGO_BACKUP_ENCRYPTION_KEY): AES-256-GCM over chunks, streamed.

An encrypted archive (`….tar.gz.enc`) is the .tar.gz of `kunshan_credit.backup`, cut into chunks of 1 MiB,
each sealed on its own, so neither writing nor reading holds more than a chunk in memory:

    header  = MAGIC | salt (16 bytes) | nonce prefix (7) | key check (32)
    records = (length of the sealed chunk, 4 bytes big-endian | sealed chunk)…

The key is derived from the environment's key and the salt (HKDF-SHA256): 32 bytes for AES-GCM and 32 for the
key check, so a wrong key is told apart from a changed file. A chunk's nonce is the prefix, its number and
whether it is the last; the header is authenticated with every chunk. A changed byte, a chunk moved, dropped or
added, a file cut short: each fails the chunk's tag (STREAM construction). Errors here carry no text for users:
`kunshan_credit.restore` says them in Chinese.
"""

import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"KCBACKUP-AESGCM1\n"
SALT, PREFIX, CHECK = 16, 7, 32
HEADER = len(MAGIC) + SALT + PREFIX + CHECK
CHUNK = 1024 * 1024
TAG = 16
SUFFIX = ".enc"


class WrongKey(Exception):
    """The archive was encrypted with another key."""


class Damaged(Exception):
    """The encrypted archive was changed, cut short or is not one."""


def _keys(secret, salt):
    material = HKDF(algorithm=hashes.SHA256(), length=64, salt=salt, info=b"kunshan_credit backup archive v1").derive(
        secret
    )
    return AESGCM(material[:32]), material[32:]


def _nonce(prefix, number, last):
    return prefix + number.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class EncryptingWriter:
    """A write-only file object: what is written goes encrypted to `out` (a binary file); `close()` seals the
    last chunk (and leaves `out` open)."""

    def __init__(self, out, secret):
        salt, prefix = os.urandom(SALT), os.urandom(PREFIX)
        self.aead, check = _keys(secret, salt)
        self.header = MAGIC + salt + prefix + check
        self.prefix, self.out, self.number, self.buffer = prefix, out, 0, bytearray()
        out.write(self.header)

    def _seal(self, data, last):
        if self.number >= 2**32 - 1:
            raise Damaged("archive too large")  # 4 PiB: never, but a nonce must not repeat
        sealed = self.aead.encrypt(_nonce(self.prefix, self.number, last), bytes(data), self.header)
        self.out.write(len(sealed).to_bytes(4, "big") + sealed)
        self.number += 1

    def write(self, data):
        self.buffer += data
        # A chunk is sealed only once more follows: the last one is sealed as such by close().
        while len(self.buffer) > CHUNK:
            self._seal(self.buffer[:CHUNK], last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def close(self):
        if self.buffer is not None:
            self._seal(self.buffer, last=True)
            self.buffer = None


def is_encrypted(path):
    """Whether the file begins as an encrypted archive does (False for a missing file: its reader says so)."""
    try:
        with open(path, "rb") as f:
            return f.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def decrypt_file(path, target, secret):
    """Decrypt the archive at `path` into the new file `target`, chunk by chunk; raises WrongKey or Damaged
    (then `target` holds no more than the chunks verified so far: the caller removes it)."""
    with open(path, "rb") as f, open(target, "wb") as out:
        header = f.read(HEADER)
        if len(header) < HEADER or not header.startswith(MAGIC):
            raise Damaged("no header")
        salt = header[len(MAGIC) : len(MAGIC) + SALT]
        prefix = header[len(MAGIC) + SALT : len(MAGIC) + SALT + PREFIX]
        aead, check = _keys(secret, salt)
        if not hmac.compare_digest(check, header[-CHECK:]):
            raise WrongKey()
        number, length = 0, _length(f)
        if length is None:
            raise Damaged("no chunk")
        while length is not None:
            sealed = f.read(length)
            if len(sealed) != length or length < TAG or length > CHUNK + TAG:
                raise Damaged("chunk cut short")
            following = _length(f)
            try:
                out.write(aead.decrypt(_nonce(prefix, number, following is None), sealed, header))
            except InvalidTag as exc:
                raise Damaged("tag") from exc
            number, length = number + 1, following


def _length(f):
    """The next record's length, or None at the end of the file."""
    raw = f.read(4)
    if not raw:
        return None
    if len(raw) < 4:
        raise Damaged("record cut short")
    return int.from_bytes(raw, "big")
