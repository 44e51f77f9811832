"""The signed agreement (签约服务协议书) as a printable document: QTextDocument laid out with
the CJK font stack, to PDF through QPdfWriter or to a printer through QPrintDialog.

The agreement is a Chinese legal document, so its text stays Chinese whatever the UI
language is; only the dialogs around it are translated.
"""
from __future__ import annotations

import html
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPagedPaintDevice, QPdfWriter, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QMessageBox, QWidget

from familydoc_desktop.domain import codes
from familydoc_desktop.domain.errors import ContractError
from familydoc_desktop.domain.models import Contract, Staff, Team
from familydoc_desktop.store import audit, contracts, orgs, residents
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.fonts import app_font, html_font_stack


def _tr(text: str) -> str:
    return QCoreApplication.translate("Printing", text)


BODY_PT = 11
SMALL_PT = 10.5
MARGIN_MM = 18


def _yuan(amount: Decimal) -> str:
    return f"{Decimal(amount):.2f}"


def _e(value) -> str:  # noqa: ANN001
    return html.escape("" if value is None else str(value))


def _money_cells(split) -> str:  # noqa: ANN001
    return (f"<td class='num'>{_yuan(split.public_health)}</td>"
            f"<td class='num'>{_yuan(split.insurance)}</td>"
            f"<td class='num'>{_yuan(split.personal)}</td>"
            f"<td class='num'>{_yuan(split.total)}</td>")


def agreement_html(source, contract_id: str, actor: str | None = None) -> str:  # noqa: ANN001
    """The agreement as HTML. `source` is anything with `.session()` (the app's context or a
    Database); the print is written to the audit log as done by `actor`."""
    actor = actor or getattr(source, "actor", None) or "local"
    with source.session() as s:
        c = s.get(Contract, contract_id)
        if c is None or c.deleted:
            raise ContractError("contract_unknown", "找不到该签约协议")
        r = residents.require_resident(s, c.resident_id)
        clinic = orgs.home_clinic(s)
        team = s.get(Team, c.team_id) if c.team_id else None
        doctor = s.get(Staff, c.doctor_id) if c.doctor_id else None
        fees = contracts.fees_of(s, c)
        # Whose data was printed: the resident (so `audit --resident` and the township's
        # audit view find it); the detail says what was printed.
        audit.log(s, actor, "print", "resident", r.id, "签约协议书")
    sex = codes.label(codes.Sex, r.sex)
    package_rows = []
    for line in fees.lines:
        kind = "基础服务包" if line.basic else "个性化服务包"
        tag = "（基本公共卫生服务）" if line.public_health_service else ""
        reference = "" if line.reference_price is None else \
            f"<br/><span class='small'>市级公立医院价格 {_yuan(line.reference_price)} 元/年</span>"
        items = f"<br/><span class='small'>{_e('；'.join(line.items))}</span>" if line.items else ""
        package_rows.append(
            f"<tr><td>{_e(line.name)}{tag}{items}{reference}</td><td>{kind}</td>"
            f"{_money_cells(line.split)}</tr>")
    total, basic, own = fees.total, fees.basic, fees.personalised
    personalised = "" if not own.total else (
        f"其中基础服务包 {_yuan(basic.total)}（基本公共卫生经费 {_yuan(basic.public_health)}，"
        f"医保基金 {_yuan(basic.insurance)}，个人支付 {_yuan(basic.personal)}）；"
        f"个性化服务包 {_yuan(own.total)}（医保基金 {_yuan(own.insurance)}，"
        f"个人支付 {_yuan(own.personal)}）。")
    consent = "居民本人" if c.consent_by == codes.ConsentBy.RESIDENT else \
        f"监护人 {_e(c.guardian_name)}"
    return f"""
<html><head><style>
body {{ font-family: {html_font_stack()}; font-size: {BODY_PT}pt; }}
h1 {{ text-align: center; font-size: 18pt; margin-bottom: 4pt; }}
p {{ margin-top: 4pt; margin-bottom: 4pt; line-height: 130%; }}
p.sub {{ text-align: center; color: #444; }}
table.fees {{ border-collapse: collapse; border-color: #555555; border-style: solid; }}
table.fees td, table.fees th {{ border-width: 0.6px; border-style: solid; border-color: #555555;
  padding: 4px; }}
th {{ background: #eeeeee; font-weight: bold; }}
td.num {{ text-align: right; }}
tr.total td {{ font-weight: bold; }}
.small {{ font-size: {SMALL_PT}pt; color: #333; }}
</style></head><body>
<h1>家庭医生签约服务协议书</h1>
<p class="sub">协议编号：{_e(c.id.upper())}</p>
<p><b>甲方（签约团队）：</b>{_e(clinic.name)} {_e(team.name if team else '')}
&nbsp;&nbsp;责任医生：{_e(doctor.name if doctor else '')}</p>
<p><b>乙方（签约居民）：</b>{_e(r.name)}&nbsp;&nbsp;性别：{sex}&nbsp;&nbsp;
出生日期：{_e(r.birth_date)}<br/>身份证号：{_e(r.id_number or '（未登记）')}
&nbsp;&nbsp;联系电话：{_e(r.phone or '')}<br/>住址：{_e(r.address or '')}</p>
<p><b>一、服务期限：</b>自 {c.start_date.isoformat()} 起至 {c.end_date.isoformat()} 止，
共 {c.term_years} 年。期满前一个月甲方提醒乙方续签。</p>
<p><b>二、服务内容：</b>甲方按所签服务包为乙方提供服务，费用（元/人/年）如下：</p>
<table class="fees" border="0.6" width="100%" cellspacing="0" cellpadding="4">
<tr><th width="38%">服务包</th><th>类型</th><th>基本公共卫生经费</th><th>医保基金</th>
<th>个人支付</th><th>小计</th></tr>
{''.join(package_rows)}
<tr class="total"><td>合计</td><td></td>{_money_cells(total)}</tr></table>
<p><b>三、签约服务费（元/人/年）：</b>基本公共卫生经费 {_yuan(total.public_health)}，
医保基金 {_yuan(total.insurance)}，个人支付 {_yuan(total.personal)}，
合计 {_yuan(total.total)}。{personalised}</p>
<p><b>四、双方责任：</b>甲方为乙方建立并维护健康档案，按规范提供随访、健康管理等服务，
保护乙方个人信息；乙方如实提供健康信息，配合随访与健康管理。</p>
<p><b>五、解约：</b>乙方迁出、死亡或本人申请等情形，经本人或监护人知情同意后可解除本协议。</p>
<p><b>六、知情同意：</b>甲方已向乙方说明本协议及服务包内容，由{consent}知情同意并签字。</p>
<br/>
<table width="100%" cellspacing="0"><tr>
<td width="50%">甲方签字：__________________<br/><br/>日期：{c.start_date.isoformat()}</td>
<td width="50%">乙方（或监护人）签字：__________________<br/><br/>日期：{c.start_date.isoformat()}</td>
</tr></table>
</body></html>"""


def agreement_document(source, contract_id: str, actor: str | None = None) -> QTextDocument:  # noqa: ANN001
    doc = QTextDocument()
    doc.setUseDesignMetrics(True)  # printer metrics, not screen-hinted widths
    doc.setDefaultFont(app_font(BODY_PT))
    doc.setHtml(agreement_html(source, contract_id, actor))
    return doc


def _print(doc: QTextDocument, device: QPagedPaintDevice) -> None:
    """Lay the document out for `device` and print it.

    Fonts are in points; the layout must measure them on the device it prints to and be as
    wide as the device's printable area, so the page is laid out in the device's own units
    (at 72 dpi for PDF: one unit = one point). Laying out in screen units on a page given in
    printer pixels shrinks 11 pt to ~3.5 pt and the table to a third of the width."""
    doc.documentLayout().setPaintDevice(device)
    rect = device.pageLayout().paintRectPixels(device.resolution())
    doc.setPageSize(QSizeF(rect.width(), rect.height()))
    doc.print_(device)


def agreement_to_pdf(source, contract_id: str, path: str | Path,  # noqa: ANN001
                     actor: str | None = None) -> Path:
    """A4, 18 mm margins, laid out in points. Used by the app and `familydoc contract print`."""
    path = Path(path)
    doc = agreement_document(source, contract_id, actor)
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                          QPageLayout.Unit.Millimeter)
    writer.setResolution(72)
    writer.setTitle("家庭医生签约服务协议书")
    writer.setCreator("FamilyDoc")
    _print(doc, writer)
    del writer  # the file is complete only once the writer is gone
    return path


def agreement_pdf_headless(db, contract_id: str, path: str | Path, actor: str) -> Path:  # noqa: ANN001
    """For the CLI (`familydoc contract print`): the same PDF without a window. Qt's text
    layout needs a GUI application; on a Linux PC without a display it runs offscreen."""
    import os
    import sys

    from PySide6.QtGui import QGuiApplication

    path = Path(path)
    if path.is_dir():
        raise ContractError("print_target", f"{path} 是文件夹，请给出 PDF 文件名")
    if not path.parent.is_dir():
        raise ContractError("print_folder", f"文件夹不存在：{path.parent}，请先选择已有的文件夹")
    if QGuiApplication.instance() is None:
        if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                     or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _HEADLESS.append(QGuiApplication(["familydoc"]))
    with db.session() as s:  # the number printed on the agreement works too
        contract_id = contracts.resolve_contract_id(s, contract_id)
    return agreement_to_pdf(db, contract_id, path, actor=actor)


_HEADLESS: list = []  # keeps the CLI's QGuiApplication alive until the process ends


def agreement_to_printer(ctx: AppContext, contract_id: str, parent: QWidget | None) -> bool:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageMargins(QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                           QPageLayout.Unit.Millimeter)
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    _print(agreement_document(ctx, contract_id), printer)
    return True


# --- other documents (the township's sync report) -------------------------------------------

def html_document(body_html: str, point_size: float = SMALL_PT) -> QTextDocument:
    doc = QTextDocument()
    doc.setUseDesignMetrics(True)
    doc.setDefaultFont(app_font(point_size))
    doc.setHtml(body_html)
    return doc


def _page(device, landscape: bool) -> None:  # noqa: ANN001
    device.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    device.setPageOrientation(QPageLayout.Orientation.Landscape if landscape
                              else QPageLayout.Orientation.Portrait)
    device.setPageMargins(QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                          QPageLayout.Unit.Millimeter)


def document_to_pdf(doc: QTextDocument, path: str | Path, title: str, *,
                    landscape: bool = False) -> Path:
    """A4 (landscape for wide tables), 18 mm margins, laid out in points (72 dpi)."""
    path = Path(path)
    writer = QPdfWriter(str(path))
    _page(writer, landscape)
    writer.setResolution(72)
    writer.setTitle(title)
    writer.setCreator("FamilyDoc")
    _print(doc, writer)
    del writer  # the file is complete only once the writer is gone
    return path


def choose_printer(parent: QWidget | None, *, landscape: bool = False) -> QPrinter | None:
    """The print dialog (GUI thread); the printer to print to, or None when cancelled."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    _page(printer, landscape)
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return None
    return printer


def print_document(doc: QTextDocument, printer: QPrinter) -> None:
    _print(doc, printer)


SYNC_REPORT_TITLE = "各村同步情况"
_FILL = {"red": "#F8D7DA", "amber": "#FFF3CD"}


def sync_report_html(report: dict, stale_days: int, generated: str) -> str:
    """The server's sync report as a printable page: the clinics (red or amber rows by their
    flags) and then every device. Chinese, like the Excel export."""
    from familydoc_desktop.sync import report_text as rt

    clinics = report.get("clinics") or []
    villages = sum(c.get("level", "clinic") == "clinic" for c in clinics)
    others = len(clinics) - villages
    also = f"、{others} 个乡镇（县）机构的电脑" if others else ""
    flagged = sum(bool(c.get("flags")) for c in clinics)
    rows = []
    for c in clinics:
        fill = _FILL.get(rt.severity(c.get("flags") or []) or "", "")
        style = f" style='background-color:{fill}'" if fill else ""
        code, name, pcs, conflicts, state = rt.clinic_row(c, stale_days)
        rows.append(f"<tr{style}><td>{_e(code)}</td><td>{_e(name)}</td>"
                    f"<td class='num'>{pcs}</td><td class='num'>{conflicts}</td>"
                    f"<td>{_e(state)}</td></tr>")
    devices = []
    for c in clinics:
        for d in c.get("devices") or []:
            fill = _FILL.get(rt.severity(d.get("flags") or []) or "", "")
            style = f" style='background-color:{fill}'" if fill else ""
            cells = [rt.row_name(c), d.get("username"), d.get("name") or d.get("device_id"),
                     d.get("app_version") or "-", rt.channel_word(d.get("channel")),
                     rt.short_time(d.get("last_sync_at")), d.get("pending"), d.get("refused"),
                     d.get("open_conflicts"), rt.offset_word(d.get("clock_offset_seconds")),
                     rt.digest_word(d.get("digest_ok")),
                     rt.sync_flag_words(d.get("flags") or [], stale_days) or "正常"]
            devices.append(f"<tr{style}>" + "".join(f"<td>{_e('-' if v is None else v)}</td>"
                                                   for v in cells) + "</tr>")
    device_head = ["村卫生室", "用户名", "电脑", "版本", "同步方式", "上次成功同步", "待上传", "被拒",
                   "冲突", "时钟偏差", "数据核对", "标记"]
    return f"""
<html><head><style>
body {{ font-family: {html_font_stack()}; font-size: {SMALL_PT}pt; }}
h1 {{ font-size: 16pt; margin-bottom: 2pt; }}
h2 {{ font-size: 12pt; margin-top: 10pt; }}
p.sub {{ color: #444; }}
table.grid {{ border-collapse: collapse; }}
table.grid td, table.grid th {{ border-width: 0.6px; border-style: solid; border-color: #555555;
  padding: 3px; }}
th {{ background: #eeeeee; font-weight: bold; }}
td.num {{ text-align: right; }}
</style></head><body>
<h1>{SYNC_REPORT_TITLE}</h1>
<p class="sub">{villages} 个村卫生室{also}，{flagged} 个需要关注（{stale_days} 天内未同步即标记）；
打印时间 {_e(generated)}。红色：没有电脑、未同步、同步失败或数据核对不一致；黄色：需要查看。</p>
<table class="grid" border="0.6" width="100%" cellspacing="0" cellpadding="3">
<tr>{''.join(f'<th>{h}</th>' for h in rt.CLINIC_HEADER)}</tr>
{''.join(rows)}</table>
<h2>电脑明细</h2>
<table class="grid" border="0.6" width="100%" cellspacing="0" cellpadding="3">
<tr>{''.join(f'<th>{h}</th>' for h in device_head)}</tr>
{''.join(devices)}</table>
</body></html>"""


def ask_target(parent: QWidget, title: str | None = None, text: str | None = None) -> str | None:
    """'pdf', 'printer' or None (cancelled). The wording defaults to the agreement's."""
    box = QMessageBox(parent)
    box.setWindowTitle(title or QCoreApplication.translate("Printing", "Print agreement"))
    box.setText(text or QCoreApplication.translate("Printing", "Print the agreement to a printer or save it as PDF?"))
    pdf = box.addButton(QCoreApplication.translate("Printing", "Save as PDF"), QMessageBox.ButtonRole.AcceptRole)
    printer = box.addButton(QCoreApplication.translate("Printing", "Printer…"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    clicked = box.clickedButton()
    return "pdf" if clicked is pdf else "printer" if clicked is printer else None
