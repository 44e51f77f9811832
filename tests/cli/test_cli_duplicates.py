"""`familydoc duplicates` and `familydoc resident merge KEEP DROP [--yes]`."""
import io
import json

from familydoc_desktop.cli.main import main
from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store.database import Database

NUMBER = "11010519491231002X"


def _run(tmp_path, capsys, *argv):
    code = main(["--data-dir", str(tmp_path), *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _two(tmp_path, capsys):
    for extra in (["--sex", "女", "--birth-date", "1949-12-31"], ["--id-number", NUMBER]):
        code, _, _ = _run(tmp_path, capsys, "resident", "add", "--name", "王秀英",
                          "--village", "431001100201", *extra)
        assert code == 0
    code, out, _ = _run(tmp_path, capsys, "--json", "duplicates")
    assert code == 0
    (pair,) = json.loads(out)
    return pair


def test_duplicates_lists_the_pair_masked_with_the_one_holding_the_number_kept(tmp_path, capsys):
    pair = _two(tmp_path, capsys)
    assert pair["kind"] == "same_person"
    assert pair["keep"]["id_number"] == "110105********002X"  # masked
    assert pair["drop"]["id_number"] is None and pair["drop"]["needs_id_match"]
    assert (pair["keep"]["contracts"], pair["drop"]["visits"]) == (0, 0)
    code, out, _ = _run(tmp_path, capsys, "duplicates")
    assert code == 0 and "姓名、出生日期和村相同" in out and NUMBER not in out
    assert f"familydoc resident merge {pair['keep']['id']} {pair['drop']['id']}" in out


def test_merge_names_both_and_asks(tmp_path, capsys, monkeypatch):
    pair = _two(tmp_path, capsys)
    keep, drop = pair["keep"]["id"], pair["drop"]["id"]
    # Nobody at the keyboard: refused, naming both residents, nothing changed.
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = _run(tmp_path, capsys, "resident", "merge", keep, drop)
    assert code == 1 and err.count("王秀英") == 2 and "不可撤销" in err and "--yes" in err
    # At the keyboard, answering no: nothing changed either.
    tty = io.StringIO("n\n")
    tty.isatty = lambda: True
    monkeypatch.setattr("sys.stdin", tty)
    code, _, err = _run(tmp_path, capsys, "resident", "merge", keep, drop)
    assert code == 1 and "已取消" in err
    db = Database(tmp_path / "familydoc.db")
    try:
        with db.session() as s:
            assert not s.get(Resident, drop).deleted
    finally:
        db.close()
    code, out, _ = _run(tmp_path, capsys, "--json", "resident", "merge", keep, drop, "--yes")
    assert code == 0 and json.loads(out)["keep"] == keep
    code, out, _ = _run(tmp_path, capsys, "duplicates")
    assert out.strip() == "没有疑似重复的居民"
    code, _, err = _run(tmp_path, capsys, "resident", "merge", keep, drop, "--yes")
    assert code == 1 and "可能已被合并" in err


def test_merge_refuses_two_people_in_chinese(tmp_path, capsys):
    for number in (NUMBER, "110105194912310046"):
        _run(tmp_path, capsys, "resident", "add", "--name", "王秀英", "--id-number", number)
    code, _, err = _run(tmp_path, capsys, "resident", "merge", NUMBER, "110105194912310046",
                        "--yes")
    assert code == 1 and "身份证号不同" in err and "Traceback" not in err
