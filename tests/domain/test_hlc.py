"""The hybrid logical clock's rules against bad PC clocks and bad stamps."""
from __future__ import annotations

import pytest

from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.hlc import (
    FOLLOW_AHEAD_MS, MAX_MILLIS, Clock, HlcError, Timestamp, clamp, node_for, refused_ahead,
    should_restart,
)

NOW = 1_764_720_000_000  # 2025-12-03
HOUR = 3_600_000
YEAR = 365 * 24 * HOUR
Y2038 = 2_147_483_647_000


def test_parse_reads_what_str_writes():
    ts = Timestamp(NOW, 17, "dev-doc_a")
    assert Timestamp.parse(str(ts)) == ts
    assert Timestamp.parse("0000000000000-0000-x") == Timestamp(0, 0, "x")
    assert Timestamp.parse(str(Timestamp(MAX_MILLIS, 9999, "a" * 21))).millis == MAX_MILLIS


@pytest.mark.parametrize("text", [
    "", "yesterday", "1764720000000", "1764720000000-0001", "1764720000000-0001-",
    "176472000000-0001-x", "17647200000000-0001-x", "1764720000000-001-x",
    "+764720000000-0001-x", " 764720000000-0001-x", "1_64720000000-0001-x",
    "１７６４７２０００００００-0001-x",  # full-width digits: int() would take them
    "1764720000000-0001-x y", "1764720000000-0001-x\n", "1764720000000-0001-节点",
    "1764720000000-0001-x\x00", "1764720000000-0001-" + "n" * 22,
])
def test_malformed_stamps_are_a_domain_error_in_chinese(text):
    with pytest.raises(HlcError) as info:
        Timestamp.parse(text)
    assert isinstance(info.value, DomainError) and isinstance(info.value, ValueError)
    assert info.value.code == "hlc_invalid" and "混合逻辑时钟" in str(info.value)


@pytest.mark.parametrize("millis", [MAX_MILLIS + 1, 9_999_999_999_999])
def test_stamps_after_2200_are_out_of_range(millis):
    with pytest.raises(HlcError) as info:
        Timestamp.parse(f"{millis:013d}-0000-x")
    assert info.value.code == "hlc_out_of_range" and "2200" in info.value.message


def test_parse_refuses_what_is_not_text():
    with pytest.raises(HlcError):
        Timestamp.parse(None)  # type: ignore[arg-type]


def test_observe_follows_a_remote_stamp_at_most_24h_past_the_wall_clock():
    clock = Clock("me")
    seen = clock.observe(Timestamp(Y2038, 5, "other"), NOW)  # a record stamped in 2038
    assert seen.millis == NOW + FOLLOW_AHEAD_MS and seen.node == "me"
    assert clock.now(NOW + 1).millis == NOW + FOLLOW_AHEAD_MS  # not years ahead
    # Later, with the wall clock moved on, the same stamp is followed no further either.
    assert clock.observe(Timestamp(Y2038, 5, "other"), NOW + HOUR).millis == (
        NOW + HOUR + FOLLOW_AHEAD_MS)


def test_observe_still_follows_a_stamp_within_24h_exactly():
    clock = Clock("me")
    remote = Timestamp(NOW + 2 * HOUR, 7, "other")
    seen = clock.observe(remote, NOW)
    assert seen == Timestamp(NOW + 2 * HOUR, 8, "me") and seen > remote
    assert clock.now(NOW) > remote  # a later local edit orders after it


def test_observe_never_moves_the_clock_back():
    clock = Clock("me", Timestamp(NOW + 30 * HOUR, 3, "me"))  # own stamps already ahead
    assert clock.observe(Timestamp(Y2038, 0, "other"), NOW) == Timestamp(NOW + 30 * HOUR, 4,
                                                                        "me")


def test_restart_only_when_the_wall_clock_agrees_with_the_server():
    last = Timestamp(NOW + YEAR, 0, "me")  # stamped while the PC's date was a year ahead
    assert should_restart(last, NOW, offset_ms=1_500)  # date put right: the server agrees
    assert not should_restart(last, NOW, offset_ms=None)  # server time unknown (offline)
    assert not should_restart(last, NOW, offset_ms=-YEAR)  # still a year ahead
    # Dead CMOS battery: the wall clock says 1970, the server says otherwise.
    assert not should_restart(last, 1_000, offset_ms=NOW + YEAR - 1_000)
    # A last stamp less than 48 h ahead is simply counted on from.
    assert not should_restart(Timestamp(NOW + 47 * HOUR, 0, "me"), NOW, offset_ms=0)
    assert should_restart(Timestamp(NOW + 49 * HOUR, 0, "me"), NOW, offset_ms=0)


def test_a_restarted_clock_stamps_from_the_wall_clock():
    clock = Clock("me", Timestamp(NOW + YEAR, 0, "me"))
    assert clock.now(NOW).millis == NOW + YEAR
    clock.restart()
    assert clock.now(NOW) == Timestamp(NOW, 0, "me")
    assert clock.now(NOW) == Timestamp(NOW, 1, "me")  # and never back from there


def test_server_refuses_beyond_48h_and_clamps_below():
    assert refused_ahead(Timestamp(NOW + 48 * HOUR + 1, 0, "x"), NOW)
    assert not refused_ahead(Timestamp(NOW + 48 * HOUR, 0, "x"), NOW)
    ts, was = clamp(Timestamp(NOW + 47 * HOUR, 3, "x"), NOW, 5 * 60_000)
    assert was and ts == Timestamp(NOW + 5 * 60_000, 3, "x")


def test_node_of_a_uuid_device_fits_the_stamp():
    node = node_for("01a23baf-8abf-7d7e-9694-5cc595bfccf3")
    assert node == "9694-5cc595bfccf3".replace("-", "")[-12:] == "5cc595bfccf3"
    assert len(str(Timestamp(MAX_MILLIS, 9999, node))) <= 40
    assert Timestamp.parse(str(Timestamp(NOW, 0, node))).node == node


def test_a_pc_behind_the_server_follows_up_to_a_day_past_the_servers_time():
    # A PC a year behind still orders its next edit after what it pulled, and no further
    # than the server accepts; a server time behind the PC's clock changes nothing.
    clock = Clock("me")
    wall = NOW - YEAR
    seen = clock.observe(Timestamp(NOW, 3, "other"), wall, server_ms=NOW)
    assert seen == Timestamp(NOW, 4, "me") and clock.now(wall) > Timestamp(NOW, 3, "other")
    far = Clock("me").observe(Timestamp(Y2038, 0, "other"), wall, server_ms=NOW)
    assert far.millis == NOW + FOLLOW_AHEAD_MS
    ahead = Clock("me").observe(Timestamp(Y2038, 0, "other"), NOW + YEAR, server_ms=NOW)
    assert ahead.millis == NOW + YEAR + FOLLOW_AHEAD_MS
