"""Is the sync server reachable? A quick unauthenticated GET of /api/v1/health with short
timeouts and no retries, for the app's automatic sync when the network comes back."""
from __future__ import annotations

import requests

from familydoc_desktop.sync.http import Client, SyncError

PROBE_TIMEOUT = (3.0, 5.0)


def reachable(server_url: str, *, ca_bundle: str | None = None) -> bool:
    # A plain session: the retry adapter's backoff would hold a probe for many seconds.
    client = Client(server_url, ca_bundle=ca_bundle, timeout=PROBE_TIMEOUT,
                    session=requests.Session())
    try:
        client.get("/health")
        return True
    except SyncError:
        return False
    finally:
        client.close()
