"""USB sync bundles: one file carrying a PC's pending changes to the server, or the server's
changes to one PC, for a village with no line (docs/sync.md "USB transfer").

A bundle is sealed to its reader and signed by its writer:
- encryption: an ephemeral X25519 key agreed with the reader's X25519 public key, HKDF-SHA256,
  ChaCha20-Poly1305 (the header is the associated data, so it cannot be swapped);
- signature: Ed25519 over the whole envelope by the writer's signing key.
The keys are exchanged once, at login over the network (POST /bundle/register): the device
registers its two public keys, the server answers with its own. A file someone changed, or
one written by or for another device or server, is refused with a Chinese message.

The file is JSON: {"format", "version", "direction", "device_id", "created_ms", "ephemeral",
"nonce", "ciphertext", "signature"}; byte fields are base64. The plaintext is zlib-compressed
JSON whose shape the two ends define (sync/usb.py, sync_server/services/bundle.py)."""
from __future__ import annotations

import base64
import json
import os
import zlib
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from familydoc_desktop.domain.errors import DomainError

FORMAT = "familydoc-usb-bundle"
VERSION = 1
TO_SERVER = "to_server"
TO_DEVICE = "to_device"

NOT_A_BUNDLE = "“{name}”不是家医签约助手的U盘同步文件（或文件不完整），没有导入任何内容"
TAMPERED = ("U盘同步文件“{name}”已被改动或损坏（签名校验不通过），已拒绝导入，没有做任何改动。"
            "请重新导出后再拷贝一次")
WRONG_DIRECTION_SERVER = "“{name}”是服务器导出给电脑的文件，应在卫生室电脑上导入（家医签约助手 → 同步 → 导入U盘文件）"
WRONG_DIRECTION_DEVICE = "“{name}”是电脑导出给服务器的文件，应在服务器上导入（familydoc-server bundle import）"
FOREIGN_DEVICE = "U盘同步文件“{name}”不是发给本机的（属于另一台电脑），已拒绝导入，没有做任何改动"
UNKNOWN_DEVICE = ("U盘同步文件“{name}”来自本服务器不认识的设备（或该设备从未联网登录过），"
                  "已拒绝导入，没有做任何改动")
NOT_READABLE = "U盘同步文件“{name}”无法解密：它不是用本机（本服务器）的密钥加密的，已拒绝导入"


class BundleError(DomainError):
    """A bundle that cannot be used; the message is for the user (Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__("bundle_refused", message)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True)
class KeyPair:
    """One party's two private keys, as base64 raw bytes (kept by the party only)."""

    sign: str  # Ed25519
    box: str  # X25519

    @classmethod
    def generate(cls) -> "KeyPair":
        raw = serialization.Encoding.Raw, serialization.PrivateFormat.Raw, \
            serialization.NoEncryption()
        return cls(sign=b64(Ed25519PrivateKey.generate().private_bytes(*raw)),
                   box=b64(X25519PrivateKey.generate().private_bytes(*raw)))

    def public(self) -> tuple[str, str]:
        """(sign public, box public) as base64 raw bytes: what the other party stores."""
        raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
        return (b64(Ed25519PrivateKey.from_private_bytes(unb64(self.sign)).public_key()
                    .public_bytes(*raw)),
                b64(X25519PrivateKey.from_private_bytes(unb64(self.box)).public_key()
                    .public_bytes(*raw)))


def _canonical(obj: dict) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _key(shared: bytes, ephemeral: bytes, recipient: bytes, header: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient,
                info=b"familydoc-bundle-v1|" + header).derive(shared)


def seal(payload: Any, *, direction: str, device_id: str, created_ms: int,
         recipient_box_public: str, sender_sign_private: str) -> bytes:
    """The bundle file's bytes for `payload` (JSON-able)."""
    header = {"format": FORMAT, "version": VERSION, "direction": direction,
              "device_id": device_id, "created_ms": created_ms}
    recipient = unb64(recipient_box_public)
    eph = X25519PrivateKey.generate()
    eph_public = eph.public_key().public_bytes(serialization.Encoding.Raw,
                                               serialization.PublicFormat.Raw)
    shared = eph.exchange(X25519PublicKey.from_public_bytes(recipient))
    nonce = os.urandom(12)
    aad = _canonical(header)
    plain = zlib.compress(json.dumps(payload, ensure_ascii=False,
                                     separators=(",", ":")).encode("utf-8"), 6)
    cipher = ChaCha20Poly1305(_key(shared, eph_public, recipient, aad)).encrypt(
        nonce, plain, aad)
    envelope = {**header, "ephemeral": b64(eph_public), "nonce": b64(nonce),
                "ciphertext": b64(cipher)}
    signer = Ed25519PrivateKey.from_private_bytes(unb64(sender_sign_private))
    envelope["signature"] = b64(signer.sign(_canonical(envelope)))
    return json.dumps(envelope, separators=(",", ":")).encode("ascii")


def read_envelope(data: bytes, name: str = "") -> dict:
    """The envelope of a bundle file, checked for shape only (not yet trusted)."""
    try:
        env = json.loads(data.decode("ascii"))
        ok = (isinstance(env, dict) and env.get("format") == FORMAT
              and env.get("version") == VERSION
              and env.get("direction") in (TO_SERVER, TO_DEVICE)
              and isinstance(env.get("device_id"), str)
              and isinstance(env.get("created_ms"), int)
              and all(isinstance(env.get(k), str) for k in
                      ("ephemeral", "nonce", "ciphertext", "signature")))
    except (UnicodeDecodeError, ValueError):
        ok = False
    if not ok:
        raise BundleError(NOT_A_BUNDLE.format(name=name))
    return env


def verify(env: dict, sender_sign_public: str, name: str = "") -> None:
    """BundleError(TAMPERED) unless the envelope was signed by the key given."""
    body = {k: v for k, v in env.items() if k != "signature"}
    try:
        Ed25519PublicKey.from_public_bytes(unb64(sender_sign_public)).verify(
            unb64(env["signature"]), _canonical(body))
    except (InvalidSignature, ValueError) as exc:
        raise BundleError(TAMPERED.format(name=name)) from exc


def open_sealed(env: dict, recipient_box_private: str, name: str = "") -> Any:
    """The payload of a verified envelope, decrypted with the reader's X25519 key."""
    header = {k: env[k] for k in ("format", "version", "direction", "device_id", "created_ms")}
    aad = _canonical(header)
    me = X25519PrivateKey.from_private_bytes(unb64(recipient_box_private))
    recipient = me.public_key().public_bytes(serialization.Encoding.Raw,
                                             serialization.PublicFormat.Raw)
    try:
        eph_public = unb64(env["ephemeral"])
        shared = me.exchange(X25519PublicKey.from_public_bytes(eph_public))
        plain = ChaCha20Poly1305(_key(shared, eph_public, recipient, aad)).decrypt(
            unb64(env["nonce"]), unb64(env["ciphertext"]), aad)
        return json.loads(zlib.decompress(plain).decode("utf-8"))
    except (InvalidTag, ValueError, zlib.error) as exc:
        raise BundleError(NOT_READABLE.format(name=name)) from exc
