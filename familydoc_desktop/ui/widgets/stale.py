"""Screens that show stored data reload it when it changes: at once while visible, otherwise
the next time they are shown (`activate`, called by the main window on navigation)."""
from __future__ import annotations


class ReloadWhenStale:
    """Mixin for a screen (a QWidget) with a `reload()` that sets `self._stale = False` when it
    starts; connect `ctx.data_changed` to `_on_data_changed`."""

    _stale = True

    def activate(self) -> None:
        if self._stale:
            self.reload()

    def _on_data_changed(self, _table: str) -> None:
        self._stale = True
        if self.isVisible():
            self.reload()
