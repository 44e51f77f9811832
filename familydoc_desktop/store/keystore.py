"""The database key: 32 random bytes made once per PC (per Windows account), kept in the
operating system's credential store (Windows Credential Manager through `keyring`), never in a
file of ours or a log line. SQLCipher uses it as a raw key (no passphrase derivation at each
connection): the database, its WAL and every backup are encrypted with it.

Lost key (the credential store was wiped, the data folder copied to another PC): the files
cannot be read by anyone, us included. Recovery is a fresh database filled again from the
server (docs/security.md, `familydoc recover`)."""
from __future__ import annotations

import secrets

import keyring
from keyring.errors import KeyringError

from familydoc_desktop.store.errors import StoreError

SERVICE = "FamilyDoc-database"
ACCOUNT = "database-key"

UNAVAILABLE = ("系统凭据管理器不可用，无法保存本地数据库的加密密钥，程序没有打开数据库。"
               "请在 Windows 凭据管理器可用的账户下运行，或联系信息管理员。")
LOST = ("找不到本机的数据库加密密钥（系统凭据管理器中没有），加密的本地数据库 {path} 无法打开。"
        "常见原因：重装了系统或换了 Windows 账户、把数据文件夹拷到了另一台电脑。"
        "没有密钥，任何人（包括我们）都无法读取这些文件。恢复办法：运行 familydoc recover"
        "（把无法读取的数据库移到一旁并新建空库），然后登录并从服务器重新同步；"
        "尚未同步到服务器的修改无法找回。详见 docs/security.md。")


class KeyUnavailable(StoreError):
    """The credential store cannot keep the key (message in Chinese)."""


class KeyLost(StoreError):
    """An encrypted database exists but this PC has no key for it (message in Chinese)."""


def _hex_ok(value: str | None) -> bool:
    return bool(value) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def load_key() -> str | None:
    """The key as 64 hex digits, or None when this PC's credential store has none.
    KeyUnavailable when the store itself cannot be used (then the key may well exist: the
    database must not be taken for lost)."""
    try:
        value = keyring.get_password(SERVICE, ACCOUNT)
    except KeyringError as exc:
        raise KeyUnavailable(UNAVAILABLE) from exc
    return value if _hex_ok(value) else None


def get_or_create_key() -> str:
    """This PC's key, made and stored on first use. KeyUnavailable when the credential store
    cannot keep it (a key we could not find again would lock the new database for good)."""
    key = load_key()
    if key is not None:
        return key
    key = secrets.token_hex(32)
    try:
        keyring.set_password(SERVICE, ACCOUNT, key)
        kept = keyring.get_password(SERVICE, ACCOUNT)
    except KeyringError as exc:
        raise KeyUnavailable(UNAVAILABLE) from exc
    if kept != key:  # e.g. keyring's null backend: accepts and forgets
        raise KeyUnavailable(UNAVAILABLE)
    return key
