"""One sync round: send queued conflict decisions, push the outbox in batches, pull pages until
the server has nothing more, then prove the replica matches the server (per-table digests)
and re-pull any table that drifted.

Every step commits as it goes (an acknowledged batch, a page with its cursor), so an
interrupted sync keeps its progress and the next one resumes; nothing is ever reported as
synced unless the server answered (cht-core#8303).
"""
from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Callable

from sqlalchemy import text

from familydoc_desktop.domain.models import SYNCED_MODELS, utcnow
from familydoc_desktop.store import changes, indexes
from familydoc_desktop.store import set_aside as store_set_aside
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import (
    apply, clock, conflicts, faults, health, outbox, resync, verify,
)
from familydoc_desktop.sync.outcome import TABLE_ZH
from familydoc_desktop.sync.http import AuthExpired, Client, NetworkDown, SyncError
from familydoc_desktop.sync.protocol import (
    DEFAULT_PULL_LIMIT, DIGEST_VERSION, MAX_MUTATIONS_PER_PUSH, DigestResponse, PullResponse,
    PushResponse, content_kinds, digest_of,
)

log = logging.getLogger(__name__)
LAST_SYNC_KEY = "last_sync_at"
LAST_REPORT_KEY = "last_sync_report"
LAST_VERIFIED_KEY = "last_verified_ms"
# Digest checks cost a pass over every row on both sides: run them on the first sync, then
# periodically (architecture.md), or on demand (`familydoc sync --verify`).
VERIFY_EVERY_MS = 6 * 3600 * 1000
# A first sync (and a drifted table's re-pull) takes pages of 10,000. On loopback 5,000,
# 10,000 and 20,000 pull a 245,000-record township at the same 26,000-31,000 records/s, but
# the client's peak memory grows with the page (+56, +68, +109 MB: a page is parsed while the
# one before it is written); 10,000 halves the round trips of 5,000 on a slow township link.
FIRST_PULL_LIMIT = 10_000
# A first sync's opening page: the PC starts writing (and the server building the next page,
# sync_server/api/readahead.py) a few tenths of a second in, and knows its line's speed by
# the time it asks for the second page.
OPENING_PAGE = 2_000
# Slower than this (bytes a second, ~8 Mbit/s), pages are asked for `pack=small`: the server
# spends ~6x the CPU on compressing a page for ~5 % fewer bytes (sync_server/api/compress.py),
# hidden on such a line behind the page before it.
SLOW_LINE = 1_000_000
CLOCK_WARN_SECONDS = 5 * 60
CLOCK_WARNING = "本机时钟与服务器相差约 {minutes} 分钟，请校准电脑的日期和时间"
SET_ASIDE_WARNING = ("{n} 条服务器数据无法写入本机（{table} {reason}），已另行保存；"
                     "其余数据已正常同步。请联系管理员检查服务器上的这些记录")
REFUSED_WARNING = ("{n} 条修改被同步服务器拒绝（{detail}），未上传，已另行保存；"
                   "常见原因是该居民已转到其他机构。其余修改已正常同步")
CLOCK_REFUSED_WARNING = ("{n} 条修改因本机时钟超前被同步服务器拒绝，未上传，已另行保存；"
                         "请改正电脑的日期和时间，改正后下次同步会自动重新上传。其余修改已正常同步")
REQUEUED_WARNING = "本机时钟已与服务器一致：{n} 条曾因时钟超前未上传的修改已重新上传"

DIGEST_WARNING = ("数据核对发现本机数据与服务器不一致：{tables}；已按服务器数据修复，"
                  "本机尚未上传的修改已保留并会继续上传")
NOT_ON_SERVER = "另有 {n} 条本机记录服务器上没有（或已不在本机构范围内），未作改动，请联系管理员"


def digest_warning(repairs: list[verify.Repair]) -> str:
    """The Chinese line naming each table the digest of values found different."""
    parts = [f"{TABLE_ZH.get(r.table, r.table)} {r.rows} 条" for r in repairs if r.rows]
    text = DIGEST_WARNING.format(tables="、".join(parts) or "无可修复的记录")
    extra = sum(len(r.not_on_server) for r in repairs)
    return text + ("；" + NOT_ON_SERVER.format(n=extra) if extra else "")


# progress(phase, done, total): phase is "push" | "pull" | "reconcile"; total may be None.
Progress = Callable[[str, int, "int | None"], None]


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0  # open conflicts waiting for review after this sync
    seconds: float = 0.0
    pull_seconds: float = 0.0  # of `seconds`, pulling pages (their writes included)
    clock_offset_seconds: float | None = None
    clamped: int = 0
    reconciled_tables: list[str] = field(default_factory=list)
    conflicts_received: int = 0
    resolutions_sent: int = 0
    pending: int = 0  # outbox entries still waiting (0 after a clean sync)
    refused: int = 0  # entries the server refused for scope, set aside (outbox.set_aside)
    verified: bool = False  # whether this sync compared table digests with the server
    set_aside: int = 0  # pulled rows this sync could not hold, kept in sync_set_aside
    set_aside_total: int = 0  # all rows set aside on this PC after this sync
    set_aside_rows: list[dict] = field(default_factory=list)  # table, record_id, reason
    bytes_received: int = 0
    warnings: list[str] = field(default_factory=list)
    health_sent: bool = False  # whether the sync-health report reached the server
    resynced: bool = False  # the server was restored from a backup: this round resynced
    reuploaded: int = 0  # of the pushed, own changes the restored server had lost
    clock_restarted: bool = False  # the clock ran far ahead and restarted (sync/clock.py)
    requeued: int = 0  # edits refused for the PC's clock, queued again re-stamped

    def as_dict(self) -> dict:
        return asdict(self)


class SyncEngine:
    def __init__(self, db: Database, server_url: str, *, username: str, token: str,
                 ca_bundle: str | None = None, client: Client | None = None,
                 page_limit: int = DEFAULT_PULL_LIMIT, first_page_limit: int = FIRST_PULL_LIMIT,
                 push_batch: int = MAX_MUTATIONS_PER_PUSH, reconcile: bool | None = None
                 ) -> None:
        self.db = db
        self.username = username
        self.client = client or Client(server_url, token=token, ca_bundle=ca_bundle)
        self.client.token = token
        # Offsets are measured against the same wall clock the change capture stamps with.
        self.client.now_ms = lambda: changes.wall_ms()
        self.page_limit = page_limit
        self.first_page_limit = first_page_limit
        self.push_batch = min(push_batch, MAX_MUTATIONS_PER_PUSH)
        self.do_reconcile = reconcile  # True always, False never, None when due
        self.must_verify = False  # a pull met own edits this copy does not hold
        self.seen = 0  # own pushed edits the last run's pulls did not download again
        self.refused: list[dict] = []  # set aside by the last push
        self.set_aside: list[tuple[str, str, str]] = []  # pulled rows set aside, last sync
        self.skip_own = True  # own pushed edits come back as seqs only (not while resyncing)
        self.resyncing = False  # this round resyncs with a server restored from a backup
        self.repairs: list[verify.Repair] = []  # the last reconcile's, per differing table
        self.named_residents: set[str] = set()  # residents the last pulls named (run resets)
        self._index_build: ThreadPoolExecutor | None = None  # building parked indexes (pull)
        self._index_future = None

    def run(self, progress: Progress | None = None) -> SyncReport:
        """One round, then this PC's sync-health report to the server (sync/health.py): sent
        after a good round and after one the server stopped; never its reason to fail."""
        try:
            try:
                report = self._run(progress)
            except BaseException:
                self._indexes_built(quiet=True)  # the round's own error is what is said
                raise
            self._indexes_built()
        except SyncError as exc:
            health.note_error(self.db, str(exc))  # the user's own (Chinese) message
            if not isinstance(exc, (NetworkDown, AuthExpired)):  # else it cannot go anyway
                health.send(self.db, self.client, sync_ok=False)
            raise
        except Exception as exc:
            health.note_error(self.db, f"同步时程序出错（{type(exc).__name__}）")
            raise
        report.health_sent = health.send(self.db, self.client, sync_ok=True)
        return report

    def _run(self, progress: Progress | None = None) -> SyncReport:
        started = time.perf_counter()
        report = SyncReport()
        note = progress or (lambda *_: None)
        self.client.clock_offset_ms = None  # measured afresh by this round's answers
        # First, before anything goes up: was the server restored from a backup?
        plan = resync.check(self.db, self.client)
        if plan is None:  # (a resync renumbers the queue itself: the next round, then)
            # The server has answered: does this PC's clock agree with it now?
            fix = clock.correct(self.db, self.client.clock_offset_ms)
            report.clock_restarted, report.requeued = fix.restarted, fix.requeued
        if plan is not None:
            self.skip_own = False  # a full pull: every row as the server holds it now
            self.resyncing = True
            self.must_verify = True
            begun = resync.marker(self.db) or {}
            report.reuploaded = int(begun.get("requeued", 0)) + int(
                begun.get("whole_rows", 0))
        report.resolutions_sent = conflicts.send_pending(self.db, self.client)
        self.refused = []
        self.seen = 0
        report.pushed, report.clamped = self.push(note)
        if report.requeued:
            report.warnings.append(REQUEUED_WARNING.format(n=report.requeued))
        self.set_aside = []
        self.named_residents: set[str] = set()
        pulling = time.perf_counter()
        report.pulled, report.conflicts_received = self.pull(note, overlap_indexes=True)
        report.pull_seconds = round(time.perf_counter() - pulling, 3)
        if self.named_residents and self.follow_merges():
            # Records pulled (or made here) for a resident merged elsewhere now name the kept
            # resident: those edits go up in this round, not the next.
            again, clamped_again = self.push(note)
            report.pushed += again
            report.clamped += clamped_again
        if self.refused:  # by either push
            report.refused = len(self.refused)
            scope = [r for r in self.refused if r.get("kind") != clock.CLOCK_AHEAD]
            if scope:
                report.warnings.append(REFUSED_WARNING.format(n=len(scope),
                                                              detail=scope[0]["reason"]))
            if len(scope) < len(self.refused):
                report.warnings.append(CLOCK_REFUSED_WARNING.format(
                    n=len(self.refused) - len(scope)))
        if plan is not None:
            resync.finish(self.db, plan)
            report.resynced = True
            report.warnings.append(resync.RESYNC_WARNING.format(n=report.reuploaded))
        if self._verify_due() or self.must_verify:
            report.reconciled_tables = self.reconcile(note)
            report.verified = True
            if self.repairs:
                report.warnings.append(digest_warning(self.repairs))
            health.note_digest(self.db, ok=not report.reconciled_tables)
            apply.set_state(self.db, LAST_VERIFIED_KEY, str(int(time.time() * 1000)))
        if self.set_aside:
            report.set_aside = len(self.set_aside)
            report.set_aside_rows = [{"table": t, "record_id": r, "reason": why}
                                     for t, r, why in self.set_aside[:50]]
            table, _, reason = self.set_aside[0]
            report.warnings.append(SET_ASIDE_WARNING.format(n=len(self.set_aside),
                                                            table=table, reason=reason))
        offset = self.client.clock_offset_ms
        if offset is not None:
            report.clock_offset_seconds = round(offset / 1000, 3)
            if abs(offset) / 1000 > CLOCK_WARN_SECONDS:
                report.warnings.append(CLOCK_WARNING.format(minutes=round(abs(offset) / 60000)))
        with self.db.session(capture=False) as s:
            report.pending = outbox.pending_count(s)
            report.set_aside_total = store_set_aside.count_set_aside(s)
        report.conflicts = conflicts.open_count(self.db)
        report.bytes_received = self.client.bytes_received
        report.seconds = round(time.perf_counter() - started, 3)
        self._remember(report)
        return report

    def _verify_due(self) -> bool:
        if self.do_reconcile is not None:
            return self.do_reconcile
        last = apply.get_state(self.db, LAST_VERIFIED_KEY)
        return last is None or time.time() * 1000 - int(last) > VERIFY_EVERY_MS

    # -- push -------------------------------------------------------------------------
    def push(self, note: Progress) -> tuple[int, int]:
        """Push every pending entry; each acknowledged batch is committed before the next."""
        with self.db.session(capture=False) as s:
            total = outbox.pending_count(s)
        pushed = clamped = 0
        after = 0
        while True:
            with self.db.session(capture=False) as s:
                entries = outbox.read_batch(s, after=after, limit=self.push_batch)
            if not entries:
                return pushed, clamped
            body = {"device_id": self.db.device_id, "client_time_ms": changes.wall_ms(),
                    "mutations": outbox.wire_batch(entries, base_hlc=self.resyncing)}
            try:
                resp = PushResponse.model_validate_json(self.client.post("/sync/push", body))
            except SyncError as exc:
                if not self._set_aside_refused(exc, entries):
                    raise
                continue  # the same batch again, without the refused entry
            faults.point("after_push_sent")
            last_sent = entries[-1].mutation_id
            if resp.last_mutation_id < last_sent:
                raise SyncError("同步服务器未确认全部变更，请稍后重试")
            missing = [r.mutation_id for r in resp.results if r.status == "missing"]
            with self.db.session(capture=False) as s:
                pushed += outbox.acknowledge(s, last_sent)
                if missing:  # queued after this batch: the next read_batch takes them
                    resync.whole_rows(s, [e for e in entries if e.mutation_id in missing])
            clamped += resp.clamped
            after = last_sent
            note("push", pushed, total)

    def _set_aside_refused(self, exc: SyncError, entries: list) -> bool:
        """A 403 naming one of this batch's mutations (scope), or a 422 `clock_ahead` naming
        some (stamped too far ahead of the server's time): set those aside and go on."""
        if exc.status == 422:
            ahead = clock.refused_ids(exc.payload, {e.mutation_id for e in entries})
            kept = clock.set_aside(self.db, ahead) if ahead else []
            self.refused.extend(kept)
            return bool(kept)
        refused = exc.payload.get("mutation_id") if exc.status == 403 else None
        if not isinstance(refused, int) or refused not in {e.mutation_id for e in entries}:
            return False
        with self.db.session(capture=False) as s:
            kept = outbox.set_aside(s, refused, str(exc))
        if kept is None:
            return False
        self.refused.append(kept)
        return True

    def follow_merges(self) -> int:
        """Re-point records of merged residents (store/merge.py); captured, so they sync."""
        from familydoc_desktop.store import merge

        with self.db.session() as s:
            return merge.follow_merges(s, among=self.named_residents)

    # -- pull -------------------------------------------------------------------------
    def pull(self, note: Progress, *, overlap_indexes: bool = False) -> tuple[int, int]:
        """Pull pages from the stored cursor until `more` is false. The next page is fetched
        while this one is applied (the server builds pages while the PC writes), but pages
        are still applied and committed one at a time, in order.
        `overlap_indexes` (a whole round, `run`): the indexes a first sync parked are built
        on a thread of their own, their own connection and transaction, while the round goes
        on (the digest check reads the tables meanwhile: SQLite builds an index in C, without
        Python's lock); `run` waits for them before it returns. Otherwise, and whenever the
        pull fails, they are built before this returns."""
        cursor = int(apply.get_state(self.db, apply.CURSOR_KEY, "0"))
        # A first sync takes the largest pages: fewer round trips for 60,000 residents.
        limit = self.first_page_limit if cursor == 0 else self.page_limit
        # A first sync into empty tables fills them without their non-unique indexes, built
        # once at the end (store/indexes.py: also on the next open, should this be killed).
        fresh = self._bulk_load() if cursor == 0 else frozenset()
        if not fresh:
            return self._pull_pages(note, cursor, limit, fresh)
        try:
            done = self._pull_pages(note, cursor, limit, fresh)
        except BaseException:
            self._restore_indexes()
            raise
        if overlap_indexes:
            self._index_build = ThreadPoolExecutor(1, thread_name_prefix="sync-indexes")
            self._index_future = self._index_build.submit(self._restore_indexes)
        else:
            self._restore_indexes()
        return done

    def _restore_indexes(self) -> None:
        with self.db.session(capture=False) as s:
            indexes.restore(s.connection())

    def _indexes_built(self, quiet: bool = False) -> None:
        """Wait for the indexes `pull(overlap_indexes=True)` is building. An error in
        building them is raised here (`quiet`: only logged, when the round failed already);
        either way they stay parked and are built again on the next open."""
        pool, self._index_build = self._index_build, None
        if pool is None:
            return
        try:
            self._index_future.result()
        except Exception as exc:
            if not quiet:
                raise
            log.warning("building the first sync's indexes failed (%s): the next open "
                        "builds them", type(exc).__name__)
        finally:
            pool.shutdown()

    def _bulk_load(self) -> frozenset[str]:
        """The synced tables that hold no row yet, their non-unique indexes parked."""
        with self.db.session(capture=False) as s:
            conn = s.connection()
            empty = [m.__tablename__ for m in SYNCED_MODELS if conn.exec_driver_sql(
                f'SELECT 1 FROM "{m.__tablename__}" LIMIT 1').first() is None]
            indexes.park(conn, empty)
        return frozenset(empty)

    def _pull_pages(self, note: Progress, cursor: int, limit: int, fresh: frozenset[str]
                    ) -> tuple[int, int]:
        rows = received = 0
        with ThreadPoolExecutor(1, thread_name_prefix="sync-prefetch") as pool:
            # Own pushed edits come back as (table, id, seq) only (own=skip).
            opening = min(limit, OPENING_PAGE) if cursor == 0 else limit
            # The opening page (and the one the server builds after it) packed small: the
            # line is not measured yet, and a slow one is where bytes count.
            upcoming = pool.submit(self._get_page, since=cursor, limit=opening,
                                   skip_own=self.skip_own,
                                   **({"next_limit": limit, "pack": "small"}
                                      if opening != limit else {}))
            while True:
                page = upcoming.result()
                if page.more:
                    if page.next_since <= cursor:
                        raise SyncError("同步服务器返回的数据有误（游标未前进），请联系管理员")
                    upcoming = pool.submit(self._get_page, since=page.next_since, limit=limit,
                                           skip_own=self.skip_own)
                result = apply.apply_page(self.db, page, fresh=fresh)
                self._note_set_aside(result)
                self.named_residents |= result.named_residents
                rows += result.rows
                received += result.conflicts
                self.seen += result.seen
                # Own edits the server did not send back to a copy that lacks them (e.g.
                # restored from an older backup): the digest check finds and re-pulls them.
                self.must_verify = self.must_verify or result.seen_missing > 0
                note("pull", rows, None)
                if not page.more:
                    return rows, received
                cursor = page.next_since

    def _get_page(self, since: int, limit: int, table: str | None = None,
                  skip_own: bool = False, buckets: list[str] | None = None,
                  next_limit: int | None = None, pack: str | None = None) -> PullResponse:
        # Column by column: a server that does not know the parameter answers in rows (and
        # sends own edits back as rows: they apply as before).
        params = {"since": since, "limit": limit, "layout": "columns"}
        rate = self.client.line_rate
        if pack is None and rate is not None and rate < SLOW_LINE:
            pack = "small"
        if pack:
            params["pack"] = pack  # an older server ignores it: its one setting
        if skip_own:
            params["own"] = "skip"
        if next_limit:  # the page after this one, which the server builds meanwhile
            params["next_limit"] = next_limit
        if table:
            params["table"] = table
        if buckets:
            params["bucket"] = ",".join(buckets)
        return PullResponse.model_validate_json(self.client.get("/sync/pull", params))

    # -- reconcile --------------------------------------------------------------------
    def reconcile(self, note: Progress, attempts: int = 3) -> list[str]:
        """Compare per-table (count, digest) with the server and repair drifted tables.
        Returns the names of the tables that differed. A server that knows the digest of
        values (version 2) is compared value by value and only the differing rows are
        re-pulled (sync/verify.py); an older one by (id, seq), whole tables re-pulled."""
        self.repairs = []
        # This PC's digests of values are computed while the server computes its own (about
        # a second each for a township): with the columns this version sends, which are the
        # server's unless it is of another version (then those tables again, after).
        guess = {m.__tablename__: list(content_kinds(m.__tablename__))
                 for m in SYNCED_MODELS}
        with ThreadPoolExecutor(1, thread_name_prefix="sync-digest") as pool:
            for _ in range(attempts):
                asked = pool.submit(self.client.get, "/sync/digest",
                                    {"version": DIGEST_VERSION})
                try:
                    early = verify.table_digests(self.db, guess)
                finally:
                    remote = DigestResponse.model_validate_json(asked.result())
                cursor = int(apply.get_state(self.db, apply.CURSOR_KEY, "0"))
                if remote.max_seq <= cursor:
                    break
                self.pull(note)  # others pushed meanwhile: catch up, then compare again
            else:
                early = {}  # computed before that last pull: again, below
        if remote.version == DIGEST_VERSION and remote.columns is not None:
            return self._reconcile_values(remote, note, early, guess)
        local = local_digests(self.db)
        drifted = [t for t, d in remote.tables.items()
                   if t in local and local[t] != (d.count, d.digest)]
        for i, table in enumerate(drifted):
            note("reconcile", i, len(drifted))
            self._repull(table)
        return drifted

    def _reconcile_values(self, remote: DigestResponse, note: Progress,
                          early: dict | None = None, guess: dict | None = None) -> list[str]:
        columns = remote.columns or {}
        early, guess = early or {}, guess or {}
        local = {t: early[t] for t, cols in columns.items()
                 if t in early and guess.get(t) == cols}
        local.update(verify.table_digests(
            self.db, {t: cols for t, cols in columns.items() if t not in local}))
        drifted = [t for t, d in remote.tables.items()
                   if t in local and local[t] != (d.count, d.digest)]
        differed = []
        for i, table in enumerate(drifted):
            note("reconcile", i, len(drifted))
            detail = DigestResponse.model_validate_json(self.client.get(
                "/sync/digest", {"version": DIGEST_VERSION, "table": table}))
            found = detail.tables.get(table)
            if found is None or detail.columns is None or table not in detail.columns:
                raise SyncError("同步服务器返回的核对数据有误，请联系管理员")

            def fetch(since: int, buckets: list[str] | None, table: str = table
                      ) -> PullResponse:
                return self._get_page(since=since, limit=FIRST_PULL_LIMIT, table=table,
                                      buckets=buckets)

            fixed = verify.repair(self.db, table, detail.columns[table], found.depth or 0,
                                  found.buckets or {}, fetch)
            self._note_set_aside(fixed)
            if fixed.rows or fixed.not_on_server:
                differed.append(table)
                self.repairs.append(fixed)
        return differed

    def _repull(self, table: str) -> None:
        since = 0
        while True:
            page = self._get_page(since=since, limit=FIRST_PULL_LIMIT, table=table)
            self._note_set_aside(apply.apply_page(self.db, page, cursor_key=None))
            if not page.more or page.next_since <= since:
                return
            since = page.next_since

    def _note_set_aside(self, result: apply.PageResult) -> None:
        seen = {(t, r) for t, r, _ in self.set_aside}
        self.set_aside.extend(x for x in result.set_aside if (x[0], x[1]) not in seen)

    def _remember(self, report: SyncReport) -> None:
        import json

        with self.db.session(capture=False) as s:
            conn = s.connection()
            for key, value in ((LAST_SYNC_KEY, utcnow().isoformat()),
                               (LAST_REPORT_KEY, json.dumps(report.as_dict(),
                                                            ensure_ascii=False))):
                conn.execute(text("INSERT INTO sync_state (key, value) VALUES (:k, :v) "
                                  "ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
                             {"k": key, "v": value})


def local_digests(db: Database) -> dict[str, tuple[int, str]]:
    """(count, digest) of (id, server_seq) per synced table, over rows the server has seen.
    Rows set aside count with the version set aside: this PC holds them, in sync_set_aside,
    and re-pulling the table would only set them aside again."""
    out = {}
    with db.session(capture=False) as s:
        conn = s.connection()
        cursor = conn.connection.dbapi_connection.cursor()
        for model in SYNCED_MODELS:
            name = model.__tablename__
            pairs = conn.exec_driver_sql(
                f'SELECT id, server_seq FROM "{name}" WHERE server_seq IS NOT NULL')
            held = store_set_aside.seqs(cursor, name)
            if held:
                merged = dict(pairs.fetchall())
                merged.update(held)
                pairs = merged.items()
            out[name] = digest_of(pairs)
    return out
