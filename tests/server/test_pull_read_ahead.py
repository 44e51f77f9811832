"""The next pull page is built while the current one travels (api/readahead.py): the page a
PC then gets is the one it would have got by asking at that moment, only to the caller it was
built for, never past a revoked token; a change made meanwhile still reaches the PC."""
from __future__ import annotations

import orjson
import zstandard

from sync_server.core.db import write_tx
from sync_server.services import accounts
from tests.server.server_helpers import mutation, push, resident

ZSTD = {"Accept-Encoding": "zstd"}
URL = "/api/v1/sync/pull"


def _fill(world, headers, n: int = 24) -> list[str]:  # noqa: ANN001
    ids, muts = [], []
    for i in range(n):
        rid, data = resident(world.orgs["clinic_a"], name=f"李{i}")
        ids.append(rid)
        muts.append(mutation(i + 1, rid, data, op="insert",
                             hlc=world.hlc("dev-doc_a", counter=i)))
    r = push(world, headers, "doc_a", muts)
    assert r.status_code == 200, r.text
    return ids


def _page(world, headers, since: int, limit: int = 10, zstd: bool = True) -> dict:  # noqa: ANN001
    r = world.client.get(URL, params={"since": since, "limit": limit, "layout": "columns"},
                         headers={**headers, **(ZSTD if zstd else {})})
    assert r.status_code == 200, r.text
    if zstd:
        assert r.headers["content-encoding"] == "zstd"
        assert "x-familydoc-server-time-ms" in r.headers  # the answer's time
    return r.json()


def _without_time(page: dict) -> dict:
    return {k: v for k, v in page.items() if k != "server_time_ms"}


def _ahead(world):  # noqa: ANN001, ANN202
    ahead = world.client.app.state.read_ahead
    ahead.drain()
    return ahead


def test_the_page_built_ahead_is_the_page_asked_for(world):
    a = world.login("doc_a")
    _fill(world, a)
    first = _page(world, a, 0)
    ahead = _ahead(world)
    assert first["more"] and ahead.built == 1
    second = _page(world, a, first["next_since"])
    assert ahead.taken == 1
    # The same page as a build on request (gzip clients never get pages built ahead).
    assert _without_time(second) == _without_time(_page(world, a, first["next_since"],
                                                         zstd=False))
    third = _page(world, a, second["next_since"])
    assert ahead.taken == 2 and not third["more"]
    assert ahead.built == 2  # nothing built after the last page
    names = [n for p in (first, second, third)
             for n in p["tables"]["resident"]["data"][p["tables"]["resident"]["columns"]
                                                     .index("name")]]
    assert names == [f"李{i}" for i in range(24)]


def test_a_change_after_the_page_was_built_still_reaches_the_pc(world):
    a = world.login("doc_a")
    ids = _fill(world, a)
    first = _page(world, a, 0)
    _ahead(world)  # page 2 (residents 10-19) is built
    r = push(world, a, "doc_a", [mutation(100, ids[12], {"name": "李改"}, base_seq=None,
                                          hlc=world.hlc("dev-doc_a", counter=100))])
    assert r.status_code == 200, r.text
    held: dict[str, str] = {}
    since, pages = first["next_since"], [first]
    while True:
        page = _page(world, a, since)
        pages.append(page)
        if not page["more"]:
            break
        since = page["next_since"]
    for page in pages:  # applied in order, as the PC does
        table = page["tables"].get("resident")
        if table:
            cols = table["columns"]
            for rid, name in zip(table["data"][0], table["data"][cols.index("name")]):
                held[rid] = name
    assert held[ids[12]] == "李改"
    assert len(held) == 24


def test_a_page_built_ahead_is_for_its_caller_only(world):
    a = world.login("doc_a")
    _fill(world, a)
    first = _page(world, a, 0)
    ahead = _ahead(world)
    # Another account asking from the same cursor gets its own scope: clinic_b holds nothing.
    b = world.login("doc_b")
    other = _page(world, b, first["next_since"])
    assert other["tables"] == {} and ahead.taken == 0
    # The same account on another device (its own token) is built for afresh.
    again = world.login("doc_a", device_id="dev-doc_a-2")
    _page(world, again, first["next_since"])
    assert ahead.taken == 0


def test_a_revoked_token_never_gets_the_page_built_ahead(world):
    a = world.login("doc_a")
    _fill(world, a)
    first = _page(world, a, 0)
    _ahead(world)
    with write_tx(world.engine) as conn:
        accounts.revoke_device(conn, "dev-doc_a", by="it")
    r = world.client.get(URL, params={"since": first["next_since"], "limit": 10,
                                      "layout": "columns"}, headers={**a, **ZSTD})
    assert r.status_code == 401
    assert world.client.app.state.read_ahead.taken == 0


def test_the_body_sent_is_one_zstd_frame_of_the_page(world):
    a = world.login("doc_a")
    _fill(world, a)
    first = _page(world, a, 0)
    _ahead(world)
    raw = world.client.get(URL, params={"since": first["next_since"], "limit": 10,
                                        "layout": "columns"},
                           headers={**a, **ZSTD}).read()
    # httpx decodes it for us above; the frame itself carries its size (decoders need it).
    frame = zstandard.ZstdCompressor().compress(b"x")
    assert zstandard.frame_content_size(frame) == 1
    assert orjson.loads(raw)["since"] == first["next_since"]


def test_a_slow_lines_pages_are_packed_smaller_with_the_same_content(world):
    a = world.login("doc_a")
    _fill(world, a, n=400)  # (on a few dozen rows the two settings come out alike)
    params = {"since": 0, "limit": 400, "layout": "columns"}
    fast = world.client.get(URL, params=params, headers={**a, **ZSTD})
    small = world.client.get(URL, params={**params, "pack": "small"}, headers={**a, **ZSTD})
    assert fast.status_code == small.status_code == 200
    assert len(small.content) == len(fast.content)  # (httpx decoded both)
    assert _without_time(small.json()) == _without_time(fast.json())
    wire = [int(r.headers["content-length"]) for r in (fast, small)]
    assert wire[1] < wire[0]
    bad = world.client.get(URL, params={**params, "pack": "tiny"}, headers={**a, **ZSTD})
    assert bad.status_code == 422


def test_the_page_after_a_small_opening_one_is_built_with_the_limit_asked_next(world):
    a = world.login("doc_a")
    _fill(world, a)
    r = world.client.get(URL, params={"since": 0, "limit": 4, "next_limit": 10,
                                      "layout": "columns"}, headers={**a, **ZSTD})
    assert r.status_code == 200
    first = r.json()
    ahead = _ahead(world)
    second = _page(world, a, first["next_since"], limit=10)
    assert ahead.taken == 1
    assert len(second["tables"]["resident"]["data"][0]) == 10
    # Built ahead with `pack=fast`, asked for `small`: the same page, taken as it is.
    third = world.client.get(URL, params={"since": second["next_since"], "limit": 10,
                                          "layout": "columns", "pack": "small"},
                             headers={**a, **ZSTD})
    assert third.status_code == 200 and ahead.taken == 2
    assert len(third.json()["tables"]["resident"]["data"][0]) == 10


def test_pages_nobody_comes_for_are_let_go(world, monkeypatch):
    from sync_server.api import readahead

    a = world.login("doc_a")
    _fill(world, a)
    _page(world, a, 0)
    ahead = _ahead(world)
    assert len(ahead._pages) == 1
    monkeypatch.setattr(readahead, "TTL", 0.0)  # as if 30 s had gone by
    assert ahead.take(("nobody",)) is None
    assert len(ahead._pages) == 0


def test_a_page_still_queued_is_built_on_request_instead_of_waited_for():
    import threading

    from sync_server.api.readahead import Built, ReadAhead

    ahead, release = ReadAhead(workers=1), threading.Event()

    def slow() -> Built:  # another PC's page, holding the only worker
        assert release.wait(10)
        return Built(b"a", True, 1)

    assert ahead.offer(("other",), slow)
    assert ahead.offer(("mine",), lambda: Built(b"b", True, 2))
    assert ahead.take(("mine",)) is None  # queued: not waited for, cancelled
    release.set()
    assert ahead.take(("other",)) == Built(b"a", True, 1)
    ahead.close()
