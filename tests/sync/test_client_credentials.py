"""Tokens live in the credential store only; an unusable store degrades in Chinese."""
from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import NoKeyringError

from familydoc_desktop.sync import credentials


def test_round_trip_keyed_by_server_and_user(memory_keyring):
    credentials.save_token("https://a.example/", "doc", "tok-1")
    credentials.save_token("https://b.example", "doc", "tok-2")
    assert memory_keyring.store[("FamilyDoc", "https://a.example|doc")] == "tok-1"
    assert credentials.load_token("https://a.example", "doc") == "tok-1"
    assert credentials.load_token("https://b.example", "doc") == "tok-2"
    credentials.delete_token("https://a.example", "doc")
    assert credentials.load_token("https://a.example", "doc") is None
    credentials.delete_token("https://a.example", "doc")  # already gone: not an error


class FailingKeyring(KeyringBackend):
    priority = 1

    def get_password(self, service, username):  # noqa: ANN001, ANN201
        raise NoKeyringError("no backend")

    def set_password(self, service, username, password):  # noqa: ANN001, ANN201
        raise NoKeyringError("no backend")

    def delete_password(self, service, username):  # noqa: ANN001, ANN201
        raise NoKeyringError("no backend")


@pytest.fixture
def failing_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(FailingKeyring())
    yield
    keyring.set_keyring(previous)


def test_missing_store_loads_none_and_refuses_to_save(failing_keyring):
    assert credentials.load_token("https://a.example", "doc") is None
    with pytest.raises(credentials.CredentialsUnavailable) as err:
        credentials.save_token("https://a.example", "doc", "tok")
    assert "凭据" in str(err.value)
    credentials.delete_token("https://a.example", "doc")
