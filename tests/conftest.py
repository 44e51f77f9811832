"""Shared test set-up. Qt must be told to run headless before anything imports it."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never touch the developer's real keyring or data directory from a test.
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
