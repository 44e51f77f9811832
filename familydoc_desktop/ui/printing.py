"""The signed agreement (签约服务协议书) as a printable document: QTextDocument laid out with
the CJK font stack, to PDF through QPdfWriter or to a printer through QPrintDialog.

The agreement is a Chinese legal document, so its text stays Chinese whatever the UI
language is; only the dialogs around it are translated.
"""
from __future__ import annotations

import html
import json
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QMessageBox, QWidget

from familydoc_desktop.domain import codes
from familydoc_desktop.domain.models import Contract, ServicePackage, Staff, Team
from familydoc_desktop.store import audit, contracts, orgs, residents
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.fonts import app_font, html_font_stack


def _tr(text: str) -> str:
    return QCoreApplication.translate("Printing", text)


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def _e(value) -> str:  # noqa: ANN001
    return html.escape("" if value is None else str(value))


def agreement_html(ctx: AppContext, contract_id: str) -> str:
    with ctx.session() as s:
        c = s.get(Contract, contract_id)
        r = residents.require_resident(s, c.resident_id)
        clinic = orgs.home_clinic(s)
        team = s.get(Team, c.team_id) if c.team_id else None
        doctor = s.get(Staff, c.doctor_id) if c.doctor_id else None
        rows = []
        for cp in contracts.packages_of(s, c.id):
            pkg = s.get(ServicePackage, cp.package_id)
            items = json.loads(pkg.items or "[]") if pkg else []
            rows.append((pkg, cp, items))
        # Whose data was printed: the resident (so `audit --resident` and the township's
        # audit view find it); the detail says what was printed.
        audit.log(s, ctx.actor, "print", "resident", r.id, "签约协议书")
    sex = codes.label(r.sex) if r.sex else ""
    package_rows = []
    for pkg, cp, items in rows:
        if pkg is None:
            continue
        kind = "基础服务包" if pkg.kind == codes.PackageKind.BASIC else "个性化服务包"
        tag = "（基本公共卫生服务）" if pkg.public_health else ""
        package_rows.append(
            f"<tr><td>{_e(pkg.name)}{tag}<br/><span class='small'>{_e('；'.join(items))}</span>"
            f"</td><td>{kind}</td><td class='num'>{_yuan(cp.price_fen)}</td>"
            f"<td class='num'>{_yuan(cp.insurance_fen)}</td>"
            f"<td class='num'>{_yuan(cp.personal_fen)}</td></tr>")
    total = c.fee_public_health_fen + c.fee_insurance_fen + c.fee_personal_fen
    consent = "居民本人" if c.consent_by == codes.ConsentBy.RESIDENT else \
        f"监护人 {_e(c.guardian_name)}"
    return f"""
<html><head><style>
body {{ font-family: {html_font_stack()}; font-size: 11pt; }}
h1 {{ text-align: center; font-size: 18pt; margin-bottom: 4px; }}
p.sub {{ text-align: center; color: #444; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border: 1px solid #555; padding: 4px; }}
th {{ background: #eeeeee; }}
td.num {{ text-align: right; }}
.small {{ font-size: 9pt; color: #333; }}
</style></head><body>
<h1>家庭医生签约服务协议书</h1>
<p class="sub">协议编号：{_e(c.id[:8].upper())}</p>
<p><b>甲方（签约团队）：</b>{_e(clinic.name)} {_e(team.name if team else '')}
&nbsp;&nbsp;责任医生：{_e(doctor.name if doctor else '')}</p>
<p><b>乙方（签约居民）：</b>{_e(r.name)}&nbsp;&nbsp;性别：{sex}&nbsp;&nbsp;
出生日期：{_e(r.birth_date)}<br/>身份证号：{_e(r.id_number or '（未登记）')}
&nbsp;&nbsp;联系电话：{_e(r.phone or '')}<br/>住址：{_e(r.address or '')}</p>
<p><b>一、服务期限：</b>自 {c.start_date.isoformat()} 起至 {c.end_date.isoformat()} 止，
共 {c.term_years} 年。期满前一个月甲方提醒乙方续签。</p>
<p><b>二、服务内容：</b>甲方按所签服务包为乙方提供服务：</p>
<table><tr><th>服务包</th><th>类型</th><th>标准价（元/年）</th><th>医保支付</th><th>个人支付</th></tr>
{''.join(package_rows)}</table>
<p><b>三、签约服务费（元/人/年）：</b>基本公共卫生经费 {_yuan(c.fee_public_health_fen)}，
医保基金 {_yuan(c.fee_insurance_fen)}，个人支付 {_yuan(c.fee_personal_fen)}，
合计 {_yuan(total)}。</p>
<p><b>四、双方责任：</b>甲方为乙方建立并维护健康档案，按规范提供随访、健康管理等服务，
保护乙方个人信息；乙方如实提供健康信息，配合随访与健康管理。</p>
<p><b>五、解约：</b>乙方迁出、死亡或本人申请等情形，经本人或监护人知情同意后可解除本协议。</p>
<p><b>六、知情同意：</b>甲方已向乙方说明本协议及服务包内容，由{consent}知情同意并签字。</p>
<br/>
<table style="border: none;"><tr>
<td style="border: none;">甲方签字：__________________<br/><br/>日期：{c.start_date.isoformat()}</td>
<td style="border: none;">乙方（或监护人）签字：__________________<br/><br/>日期：{c.start_date.isoformat()}</td>
</tr></table>
</body></html>"""


def agreement_document(ctx: AppContext, contract_id: str) -> QTextDocument:
    doc = QTextDocument()
    doc.setDefaultFont(app_font(11))
    doc.setHtml(agreement_html(ctx, contract_id))
    return doc


def agreement_to_pdf(ctx: AppContext, contract_id: str, path: str | Path) -> Path:
    path = Path(path)
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(18, 18, 18, 18), QPageLayout.Unit.Millimeter)
    writer.setResolution(300)
    writer.setTitle("家庭医生签约服务协议书")
    writer.setCreator("FamilyDoc")
    doc = agreement_document(ctx, contract_id)
    layout = writer.pageLayout()
    rect = layout.paintRectPixels(writer.resolution())
    doc.setPageSize(QSizeF(rect.width(), rect.height()))
    doc.print_(writer)
    return path


def agreement_to_printer(ctx: AppContext, contract_id: str, parent: QWidget | None) -> bool:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    agreement_document(ctx, contract_id).print_(printer)
    return True


def ask_target(parent: QWidget) -> str | None:
    """'pdf', 'printer' or None (cancelled)."""
    box = QMessageBox(parent)
    box.setWindowTitle(QCoreApplication.translate("Printing", "Print agreement"))
    box.setText(QCoreApplication.translate("Printing", "Print the agreement to a printer or save it as PDF?"))
    pdf = box.addButton(QCoreApplication.translate("Printing", "Save as PDF"), QMessageBox.ButtonRole.AcceptRole)
    printer = box.addButton(QCoreApplication.translate("Printing", "Printer…"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    clicked = box.clickedButton()
    return "pdf" if clicked is pdf else "printer" if clicked is printer else None
