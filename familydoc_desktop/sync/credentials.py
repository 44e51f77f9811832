"""The sync token lives in the operating system's credential store (Windows Credential
Manager, macOS Keychain, Secret Service), never in a file of ours or a log line.

Headless Linux has no store (keyring's fail backend raises): loading then answers None and
the user is asked to log in again; saving raises CredentialsUnavailable.
"""
from __future__ import annotations

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

SERVICE = "FamilyDoc"
UNAVAILABLE = ("系统凭据管理器不可用，无法安全保存登录凭据。"
               "请在 Windows 凭据管理器可用的账户下运行，或联系信息管理员")


class CredentialsUnavailable(RuntimeError):
    """The credential store cannot be used (message in Chinese)."""

    def __init__(self, message: str = UNAVAILABLE) -> None:
        super().__init__(message)


def account_key(server_url: str, username: str) -> str:
    return f"{server_url.rstrip('/')}|{username}"


def save_token(server_url: str, username: str, token: str) -> None:
    try:
        keyring.set_password(SERVICE, account_key(server_url, username), token)
    except KeyringError as exc:
        raise CredentialsUnavailable() from exc


def load_token(server_url: str, username: str) -> str | None:
    try:
        return keyring.get_password(SERVICE, account_key(server_url, username))
    except KeyringError:
        return None


def delete_token(server_url: str, username: str) -> None:
    """Forget the token; a missing entry or an unusable store is not an error here."""
    try:
        keyring.delete_password(SERVICE, account_key(server_url, username))
    except (PasswordDeleteError, KeyringError):
        pass
