"""Push, pull, digest and conflicts (docs/sync.md)."""
from __future__ import annotations

from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from familydoc_desktop import SCHEMA_VERSION
from familydoc_desktop.sync.protocol import (
    DEFAULT_PULL_LIMIT, DEPARTURES_SINCE, DIGEST_VERSION, INT64_MAX, MAX_BUCKET_QUERY,
    MAX_PULL_LIMIT, ConflictOut, DigestResponse, PullResponse, PushRequest, PushResponse,
    ResolveRequest, ServerEpoch,
)
from sync_server.api.deps import EngineDep, PrincipalDep, check_schema
from sync_server.api import compress, readahead
from sync_server.services import conflicts, digest, epoch, pull, push

router = APIRouter(prefix="/sync", tags=["sync"])


@router.post("/push", response_model=PushResponse)
def push_changes(body: PushRequest, who: PrincipalDep, engine: EngineDep) -> PushResponse:
    return push.push(engine, who, body)


@router.get("/pull", response_model=PullResponse)
def pull_changes(request: Request, who: PrincipalDep, engine: EngineDep,
                 since: Annotated[int, Query(ge=0, le=INT64_MAX)] = 0,
                 # Above MAX_PULL_LIMIT is served as MAX_PULL_LIMIT (docs/sync.md).
                 limit: Annotated[int, Query(ge=1, le=INT64_MAX)] = DEFAULT_PULL_LIMIT,
                 table: str | None = None,
                 layout: Literal["rows", "columns"] = "rows",
                 own: Literal["send", "skip"] = "send",
                 # With `table`: only records whose id ends in one of these (comma-separated
                 # digest buckets, issue 14). An older server ignores it: the whole table.
                 bucket: Annotated[str | None, Query(max_length=MAX_BUCKET_QUERY)] = None,
                 # zstd's effort (api/compress.py): "small" for a PC on a slow line.
                 pack: Literal["fast", "small"] = "fast",
                 # The limit the PC will ask the next page with (a first sync opens with a
                 # small page): the page built ahead is built with it (api/readahead.py).
                 next_limit: Annotated[int | None, Query(ge=1, le=INT64_MAX)] = None,
                 schema: Annotated[int, Depends(check_schema)] = SCHEMA_VERSION) -> Response:
    # Pages hold thousands of rows: serialise the plain dict with orjson, skipping a second
    # validation (about 4x faster than JSONResponse on a 20,000-row page). Schema 1 clients
    # know no "departed" (their models forbid unknown fields): they are not sent it.
    buckets = bucket.split(",") if bucket is not None else None

    def page(since: int, limit: int) -> dict:
        return pull.pull(engine, who, since=since, limit=limit, table=table,
                         departures=schema >= DEPARTURES_SINCE, layout=layout,
                         skip_own=own == "skip", buckets=buckets)

    if not compress.accepts_zstd(request.headers.get("accept-encoding", "")):
        # Everyone else gets gzip as before (the middleware), and no page built ahead.
        return Response(orjson.dumps(page(since, limit)), media_type="application/json")

    def build(since: int, limit: int) -> readahead.Built:
        found = page(since, limit)
        return readahead.Built(compress.zstd(orjson.dumps(found), small=pack == "small"),
                               found["more"], found["next_since"])

    # zstd for clients that ask for it (the gzip middleware leaves an encoded body alone).
    # The ordinary pull's next page is built while this one travels (api/readahead.py); a
    # page built ahead is taken whatever `pack` it was built with (the same JSON inside).
    ahead = request.app.state.read_ahead if table is None and buckets is None else None
    caller = (who.token_hash, who.device_id, layout, own, schema)
    limit = min(limit, MAX_PULL_LIMIT)
    built = ahead.take((*caller, since, limit)) if ahead is not None else None
    if built is None:
        built = build(since, limit)
    if ahead is not None and built.more:
        then = min(next_limit or limit, MAX_PULL_LIMIT)
        ahead.offer((*caller, built.next_since, then),
                    lambda: build(built.next_since, then))
    # The PC measures its clock by the time header of this answer (middleware.ServerTime),
    # not by the page's server_time_ms (when a page built ahead was built).
    return Response(built.body, media_type="application/json",
                    headers={"Content-Encoding": "zstd", "Vary": "Accept-Encoding"})


@router.get("/epoch", response_model=ServerEpoch)
def server_epoch(who: PrincipalDep, engine: EngineDep,
                 since: Annotated[int | None, Query(ge=0, le=INT64_MAX)] = None,
                 epoch_id: Annotated[str | None, Query(alias="epoch", max_length=36)] = None,
                 ) -> ServerEpoch:
    return epoch.state(engine, who, since=since, known=epoch_id)


@router.get("/digest", response_model=DigestResponse, response_model_exclude_none=True)
def table_digest(who: PrincipalDep, engine: EngineDep,
                 version: Annotated[int, Query(ge=1, le=INT64_MAX)] = 1,
                 table: Annotated[str | None, Query(max_length=40)] = None,
                 ) -> DigestResponse:
    """Version 1 (no `version`: what older clients ask) digests (id, seq); version 2, and
    any later one asked by a newer client, digests the values (DIGEST_VERSION): the answer
    says which it is in `version`."""
    if version < DIGEST_VERSION:
        return digest.digest(engine, who)
    return digest.content_digest(engine, who, table)


@router.get("/conflicts", response_model=list[ConflictOut])
def list_conflicts(who: PrincipalDep, engine: EngineDep,
                   status: Literal["open", "auto", "resolved"] | None = None,
                   ) -> list[ConflictOut]:
    return conflicts.list_conflicts(engine, who, status)


@router.post("/conflicts/{conflict_id}/resolve", response_model=ConflictOut)
def resolve_conflict(conflict_id: str, body: ResolveRequest, who: PrincipalDep,
                     engine: EngineDep) -> ConflictOut:
    return conflicts.resolve(engine, who, conflict_id, body.keep)
