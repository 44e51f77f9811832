"""The printed agreement (签约服务协议书): laid out in points on A4 (body text >= 10.5 pt, the
fee table as wide as the text), fee lines that add up and agree between the table, section 三
and the resident's contract list, and the same PDF from `familydoc contract print`.

The PDF is measured with pypdf: every text run's effective size (font size x text matrix x
current transformation) and its position on the page."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from familydoc_desktop.store import contracts, residents
from familydoc_desktop.ui import printing

A4_W, A4_H = 595.0, 842.0
MARGIN_PT = printing.MARGIN_MM / 25.4 * 72
TEXT_W = A4_W - 2 * MARGIN_PT


def sign(ctx_or_db, org_id: str, *, personalised: str | None = "REHAB-1",
         preset: str | None = None) -> str:
    with ctx_or_db.session() as s:
        r = residents.create_resident(s, org_id=org_id, name="王秀英",
                                      id_number="11010519491231002X", phone="13800001234")
        contracts.seed_package_catalogue(s, org_id)
        ids = [contracts.package_by_code(s, personalised).id] if personalised else []
        return contracts.sign_contract(s, resident_id=r.id, start=date.today(), years=2,
                                       consent_by="resident", package_ids=ids,
                                       fee_preset=preset).id


def text_runs(pdf: Path) -> list[tuple[float, float, float, str]]:
    """(size in pt, x, y, text) of every non-blank text run on every page."""
    runs = []
    for page in PdfReader(str(pdf)).pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)

        def visit(text, cm, tm, _font, size):  # noqa: ANN001
            if text.strip():
                scale = abs(tm[0] * cm[0]) or abs(tm[3] * cm[3])
                runs.append((size * scale, tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5],
                             text.strip()))
        page.extract_text(visitor_text=visit)
    return runs


def test_agreement_is_readable_a4_with_a_full_width_table(ctx, tmp_path):
    cid = sign(ctx, ctx.org_id)
    pdf = printing.agreement_to_pdf(ctx, cid, tmp_path / "agreement.pdf")
    runs = text_runs(pdf)
    assert runs, "no text in the PDF"
    body = [r for r in runs if "家庭医生签约服务协议书" not in r[3]]
    assert min(r[0] for r in body) >= 10.5, sorted(body)[:3]
    title = next(r for r in runs if "家庭医生签约服务协议书" in r[3])
    assert title[0] >= 16
    # Text spans the printable width: it starts at the left margin and the fee table's last
    # column ("小计") and its figures sit in the right fifth of the text width.
    left = min(r[1] for r in runs)
    assert abs(left - MARGIN_PT) < 6, left
    header_subtotal = next(r for r in runs if r[3] == "小计")
    header_package = next(r for r in runs if r[3] == "服务包")
    assert header_subtotal[1] > MARGIN_PT + 0.8 * TEXT_W, header_subtotal
    assert header_package[1] < MARGIN_PT + 0.3 * TEXT_W, header_package
    # The body paragraphs wrap at the right margin, not a third of the way across.
    duty = [r for r in runs if r[3].startswith("甲方为乙方建立")]
    assert duty, "section 四 missing"
    assert all(r[1] + len(r[3]) * 11 <= A4_W - MARGIN_PT + 12 for r in duty)
    assert len(duty[0][3]) * 11 > 0.6 * TEXT_W  # one line holds most of the text width


def test_fee_lines_add_up_and_agree(ctx, tmp_path):
    cid = sign(ctx, ctx.org_id)  # Jilin: basic 30 + 20 + 0; REHAB-1 200 -> personal 80, ins 40
    with ctx.session() as s:
        fees = contracts.fees_of(s, s.get(contracts.Contract, cid))
    basic, rehab = fees.lines
    assert basic.basic and (basic.split.public_health, basic.split.insurance,
                            basic.split.personal) == (30, 20, 0)
    assert (rehab.split.insurance, rehab.split.personal, rehab.reference_price) == (40, 80, 200)
    assert (fees.total.public_health, fees.total.insurance, fees.total.personal,
            fees.total.total) == (30, 60, 80, 170)
    html = printing.agreement_html(ctx, cid)
    # The table's 合计 row and section 三 say the same figures, personal share included.
    total_row = re.search(r"<tr class=\"total\">(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r"[\d.]+\.\d\d", total_row) == ["30.00", "60.00", "80.00", "170.00"]
    section3 = re.search(r"三、签约服务费.*?</p>", html, re.S).group(0)
    assert "基本公共卫生经费 30.00" in section3 and "医保基金 60.00" in section3
    assert "个人支付 80.00" in section3 and "合计 170.00" in section3
    # The basic package's insurance in the table is the rule set's 20.00, not 0.00.
    basic_row = re.search(r"<tr><td>基础性服务包.*?</tr>", html, re.S).group(0)
    assert re.findall(r"<td class='num'>([\d.]+)</td>", basic_row) == \
        ["30.00", "20.00", "0.00", "50.00"]
    # Each row's 小计 is the sum of its sources.
    for line in fees.lines:
        s = line.split
        assert s.total == s.public_health + s.insurance + s.personal


def test_contract_list_shows_the_agreement_totals(ctx, qtbot):
    from PySide6.QtCore import Qt
    from familydoc_desktop.ui.screens.resident_history import ResidentHistory

    cid = sign(ctx, ctx.org_id)
    with ctx.session() as s:
        rid = s.get(contracts.Contract, cid).resident_id
    history = ResidentHistory(ctx, rid)
    qtbot.addWidget(history)
    model = history.contracts_model
    col = next(i for i in range(model.columnCount())
               if "PH" in model.headerData(i, Qt.Orientation.Horizontal) or
               "公卫" in model.headerData(i, Qt.Orientation.Horizontal))
    assert model.index(0, col).data() == "30.00/60.00/80.00"


def test_yueyang_personal_share_is_in_the_total(ctx):
    cid = sign(ctx, ctx.org_id, personalised=None, preset="fees_yueyang")
    html = printing.agreement_html(ctx, cid)
    section3 = re.search(r"三、签约服务费.*?</p>", html, re.S).group(0)
    assert "个人支付 8.00" in section3 and "合计 40.00" in section3


def test_cli_prints_the_same_agreement(db, tmp_path):
    from familydoc_desktop.store import orgs

    with db.session() as s:
        org_id = orgs.home_clinic(s).id
    cid = sign(db, org_id)
    data_dir = Path(db.path).parent
    db.close()
    out = tmp_path / "协议.pdf"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": os.getcwd()}
    env.pop("DISPLAY", None)
    run = [sys.executable, "-m", "familydoc_desktop.cli.main", "--data-dir", str(data_dir)]
    done = subprocess.run([*run, "contract", "print", cid[:13].upper(), "--output", str(out)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "已生成签约服务协议书" in done.stdout
    runs = text_runs(out)
    assert min(r[0] for r in runs) >= 10.5
    assert any("合计" in r[3] for r in runs) and any("170.00" in r[3] for r in runs)
    # A folder that does not exist is refused, nothing is created.
    missing = tmp_path / "nowhere" / "a.pdf"
    done = subprocess.run([*run, "contract", "print", cid, "--output", str(missing)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1 and "文件夹不存在" in done.stderr
    assert not missing.parent.exists()
    done = subprocess.run([*run, "contract", "print", "nonesuch1", "--output", str(out)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1 and "找不到该签约协议" in done.stderr
