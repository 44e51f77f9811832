"""Pull pages on the wire: zstd when asked for it, gzip otherwise; the column layout carries
exactly what the row layout does."""
from __future__ import annotations

import zstandard

from familydoc_desktop.sync.protocol import PullResponse
from tests.server.server_helpers import household, mutation, pull_all, push, resident, rows_of


def _fill(world, headers, n: int = 30) -> None:  # noqa: ANN001
    muts = []
    for i in range(n):
        rid, data = resident(world.orgs["clinic_a"], name=f"王{i}", note=None if i % 3 else "备注")
        muts.append(mutation(len(muts) + 1, rid, data, op="insert",
                             hlc=world.hlc("dev-doc_a", counter=len(muts))))
        muts.append(mutation(len(muts) + 1, rid, {"phone": f"1390000{i:04d}"}, base_seq=None,
                             hlc=world.hlc("dev-doc_a", counter=len(muts))))
    muts.append(mutation(len(muts) + 1, "0193a111-0000-7000-8000-000000000001",
                         household(world.orgs["clinic_a"]), op="insert", table="household",
                         hlc=world.hlc("dev-doc_a", counter=len(muts))))
    r = push(world, headers, "doc_a", muts)
    assert r.status_code == 200, r.text


def test_column_layout_carries_the_same_rows_as_the_row_layout(world):
    a = world.login("doc_a")
    _fill(world, a)
    rows_page = pull_all(world, a, limit=25)
    cols_page = pull_all(world, a, limit=25, layout="columns")
    assert set(rows_page["tables"]) == set(cols_page["tables"]) == {"resident"}
    table = cols_page["tables"]["resident"]
    assert "rows" not in table and len(table["data"]) == len(table["columns"])
    # server_seq as differences: the rows of one page come in seq order, so all but the
    # first are small positive steps.
    assert all(step > 0 for step in table["data"][1])
    back = PullResponse.model_validate(cols_page).tables["resident"].as_rows()
    assert back.columns == rows_page["tables"]["resident"]["columns"]
    assert back.rows == rows_page["tables"]["resident"]["rows"]
    # The next page, from the same cursor, both ways.
    since = rows_page["next_since"]
    assert since == cols_page["next_since"]
    later = PullResponse.model_validate(pull_all(world, a, since=since, layout="columns"))
    plain = pull_all(world, a, since=since)
    for name, tp in later.tables.items():
        assert tp.as_rows().rows == plain["tables"][name]["rows"]
    assert [r["name"] for r in rows_of(plain, "resident")] == [f"王{i}" for i in range(25, 30)]


def test_zstd_only_for_clients_that_accept_it(world):
    a = world.login("doc_a")
    _fill(world, a)
    url, params = "/api/v1/sync/pull", {"since": 0, "layout": "columns"}
    new = world.client.get(url, params=params, headers={**a, "Accept-Encoding": "zstd, gzip"})
    assert new.status_code == 200 and new.headers["content-encoding"] == "zstd"
    old = world.client.get(url, params={"since": 0},
                           headers={**a, "Accept-Encoding": "gzip, deflate"})
    assert old.status_code == 200 and old.headers["content-encoding"] == "gzip"
    refused = world.client.get(url, params=params,
                               headers={**a, "Accept-Encoding": "zstd;q=0, gzip"})
    assert refused.headers["content-encoding"] == "gzip"
    assert new.json()["tables"] == refused.json()["tables"]
    # The bytes on the wire are one zstd frame of that page.
    with world.client.stream("GET", url, params=params,
                             headers={**a, "Accept-Encoding": "zstd"}) as r:
        raw = b"".join(r.iter_raw())
    body = zstandard.ZstdDecompressor().decompressobj().decompress(raw)
    assert PullResponse.model_validate_json(body).tables == \
        PullResponse.model_validate(new.json()).tables
    assert "rows" in old.json()["tables"]["resident"]


def test_own_edits_are_named_not_sent_and_others_still_get_them(world):
    a, a2 = world.login("doc_a"), world.login("doc_a2")
    _fill(world, a, n=5)  # 5 inserts + 5 updates of residents, 1 household: 11 mutations
    mine = pull_all(world, a, own="skip")
    assert mine["tables"] == {}
    assert sorted(t for t, *_ in mine["seen"]) == ["household"] + ["resident"] * 5
    assert max(seq for _, _, seq, _ in mine["seen"]) == mine["next_since"] == 11
    assert all(stamp for *_, stamp in mine["seen"])  # the server's updated_at goes along
    theirs = pull_all(world, a2, own="skip")
    assert len(rows_of(theirs, "resident")) == 5 and theirs["seen"] == []
    # Another device's later change to one of them: the record comes back as a row.
    rid = rows_of(theirs, "resident")[0]["id"]
    r = push(world, a2, "doc_a2", [mutation(1, rid, {"note": "乙"}, base_seq=11,
                                            hlc=world.hlc("dev-doc_a2"))])
    assert r.status_code == 200, r.text
    again = pull_all(world, a, own="skip")
    assert [row["id"] for row in rows_of(again, "resident")] == [rid]
    assert [s[1] for s in again["seen"]] != [] and rid not in {s[1] for s in again["seen"]}
    assert "seen" not in pull_all(world, a)  # without own=skip: the page as before


def test_zstd_frames_any_decoder_takes_and_smaller_than_level_6():
    """Pull pages are compressed harder than zstd's level 6 (issue 14: <= 40 bytes a record)
    but in frames an older PC decodes unchanged: the same 2 MiB window level 6 used, the
    content size in the header, and the page back byte for byte."""
    import random
    import uuid

    import orjson

    from sync_server.api import compress

    rnd = random.Random(14)
    n = 3000
    ids = [str(uuid.UUID(int=(0x01A19EB5 << 96) | (i << 80) | rnd.getrandbits(62)))
           for i in range(n)]
    days = [f"20{rnd.randint(10, 26)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
            for _ in range(n)]
    body = orjson.dumps({"tables": {"resident": {"columns": ["id", "server_seq", "birth_date",
                                                             "created_at", "phone"],
                                                 "data": [ids, [1] * n, days,
                                                          [f"{d}T0{rnd.randint(0, 9)}:"
                                                           f"{rnd.randint(0, 59):02d}:00+00:00"
                                                           for d in days],
                                                          [f"1{rnd.randint(3, 8)}"
                                                           f"{rnd.randint(0, 10**9 - 1):09d}"
                                                           for _ in range(n)]]}}})
    packed = compress.zstd(body)
    frame = zstandard.get_frame_parameters(packed)
    assert frame.window_size <= 2 ** 21 and frame.content_size == len(body)
    assert zstandard.ZstdDecompressor().decompressobj().decompress(packed) == body
    assert len(packed) < len(zstandard.ZstdCompressor(level=6).compress(body))
