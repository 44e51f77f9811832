"""Contracts (签约服务协议): terms, consent, termination, status, renewal rate, fees."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Mapping

from familydoc_desktop.domain.codes import ConsentBy, ContractStatus, TerminationReason
from familydoc_desktop.domain.errors import ContractError

TERMS_YEARS = (1, 2, 3)  # seed 002 §4.1
# Consent cannot be obtained from the dead or from someone unreachable for a year.
NO_CONSENT_NEEDED = frozenset({TerminationReason.DIED, TerminationReason.NO_CONTACT})
CENT = Decimal("0.01")


def _add_years(d: date, years: int) -> date:
    """Same day `years` later; Feb 29 -> Mar 1 in a common year."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return date(d.year + years, 3, 1)


def contract_end(start: date, years: int) -> date:
    """Last day of a 1/2/3-year term: start + years − 1 day (seed 002 §4.1)."""
    if isinstance(years, bool) or not isinstance(years, int) or years not in TERMS_YEARS:
        raise ContractError("term", f"签约期限只能是1年、2年或3年，当前为 {years}")
    return _add_years(start, years) - timedelta(days=1)


def validate_signing(start: date, years: int, consent_by: ConsentBy | None,
                     guardian_name: str | None) -> date:
    """Informed consent by the resident or a named guardian (seed 001 item 10); returns end."""
    end = contract_end(start, years)
    if consent_by is None:
        raise ContractError("consent", "签约须经居民本人或其监护人知情同意")
    if consent_by == ConsentBy.GUARDIAN and not (guardian_name or "").strip():
        raise ContractError("guardian", "由监护人知情同意时须填写监护人姓名")
    return end


def renewal_start(previous_end: date) -> date:
    return previous_end + timedelta(days=1)


def validate_termination(reason: TerminationReason | None, consent_by: ConsentBy | None,
                         note: str | None, on: date, start: date, end: date) -> None:
    if reason is None:
        raise ContractError("termination_reason", "解约须选择解约原因")
    if reason == TerminationReason.OTHER and not (note or "").strip():
        raise ContractError("termination_note", "解约原因为“其他”时须填写说明")
    if consent_by is None and reason not in NO_CONSENT_NEEDED:
        raise ContractError("consent", "解约须经居民本人或其监护人知情同意")
    if not start <= on <= end:
        raise ContractError("termination_date",
                            f"解约日期须在协议期内（{start.isoformat()} 至 {end.isoformat()}）")


def status_on(start: date, end: date, terminated_on: date | None, renewed: bool,
              on: date) -> ContractStatus:
    if terminated_on is not None and terminated_on <= on:
        return ContractStatus.TERMINATED
    if on < start:
        return ContractStatus.PENDING
    if on > end:
        return ContractStatus.RENEWED if renewed else ContractStatus.EXPIRED
    return ContractStatus.ACTIVE


def renewal_rate(expired_ids: set, resigned_ids: set) -> float | None:
    """续签率 = expired in period and signed again / expired in period; None if none expired."""
    if not expired_ids:
        return None
    return len(set(expired_ids) & set(resigned_ids)) / len(expired_ids)


@dataclass(frozen=True)
class FeeSplit:
    public_health: Decimal
    insurance: Decimal
    personal: Decimal

    @property
    def total(self) -> Decimal:
        return self.public_health + self.insurance + self.personal


def _money(value, what: str) -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ContractError("fee", f"{what}金额无效：{value}") from None
    if not d.is_finite() or d < 0:
        raise ContractError("fee", f"{what}金额不能为负数或无效：{value}")
    return d


FEE_AMOUNTS = ("public_health", "insurance", "personal")


def require_fee_ruleset(name: str, ruleset: Mapping) -> Mapping:
    """A fee preset is a fee rule set: it says kind "fees" and names the three amounts. Any
    other rule set (a ledger or visits one) would read as 0/0/0, so it is refused."""
    if not isinstance(ruleset, Mapping) or ruleset.get("kind") != "fees":
        raise ContractError("fee_preset", f"“{name}”不是签约服务费标准（收费规则集），不能用于签约")
    missing = [k for k in FEE_AMOUNTS if k not in ruleset]
    if missing:
        raise ContractError("fee_preset", f"收费标准“{name}”缺少金额：{'、'.join(missing)}")
    return ruleset


def fee_split(preset: Mapping) -> FeeSplit:
    """Basic-package fee per signed resident per year by source (seed 003 §3, seed 004)."""
    split = FeeSplit(_money(preset.get("public_health", 0), "基本公共卫生经费"),
                     _money(preset.get("insurance", 0), "医保基金"),
                     _money(preset.get("personal", 0), "个人支付"))
    if preset.get("min_total") is not None:
        minimum = _money(preset["min_total"], "最低标准")
        if split.total < minimum:
            raise ContractError("fee_total", f"签约服务费合计 {split.total} 元低于最低标准 {minimum} 元")
    return split


def personalised_price_split(city_price: Decimal, personal_share: Decimal,
                             insurance_cap: Decimal = Decimal(40)) -> FeeSplit:
    """Personalised package: resident pays 40-50 % of the city public-hospital price,
    insurance at most `insurance_cap` yuan of the rest (seed 003 §3.2)."""
    price = _money(city_price, "市级公立医院价格")
    share = Decimal(str(personal_share))
    if not Decimal("0.40") <= share <= Decimal("0.50"):
        raise ContractError("personal_share", f"个人付费比例须在40%—50%之间，当前为 {share:%}")
    personal = (price * share).quantize(CENT, ROUND_HALF_UP)
    insurance = min(_money(insurance_cap, "医保支付限额"), price - personal)
    return FeeSplit(Decimal(0), insurance, personal)


@dataclass(frozen=True)
class FeeLine:
    """One service package on a contract with what each source pays for it per year."""
    name: str
    basic: bool
    split: FeeSplit
    reference_price: Decimal | None = None  # personalised: the city public-hospital price
    items: tuple[str, ...] = ()
    public_health_service: bool = False


@dataclass(frozen=True)
class ContractFees:
    """Every fee figure of a contract, computed once: the agreement's table, its section 三
    and the screens all read these lines and their sums, so they cannot disagree."""
    lines: tuple[FeeLine, ...]

    def _sum(self, lines) -> FeeSplit:  # noqa: ANN001
        lines = list(lines)
        return FeeSplit(sum((ln.split.public_health for ln in lines), Decimal(0)),
                        sum((ln.split.insurance for ln in lines), Decimal(0)),
                        sum((ln.split.personal for ln in lines), Decimal(0)))

    @property
    def total(self) -> FeeSplit:
        return self._sum(self.lines)

    @property
    def basic(self) -> FeeSplit:
        return self._sum(ln for ln in self.lines if ln.basic)

    @property
    def personalised(self) -> FeeSplit:
        return self._sum(ln for ln in self.lines if not ln.basic)


BASIC_PACKAGE_NAME = "基础性服务包"


def contract_fees(basic_fee: FeeSplit, packages) -> ContractFees:  # noqa: ANN001
    """The fee lines of a contract. `basic_fee` is the contract's basic-package fee by source
    (taken from its fee rule set when it was signed); `packages` are dicts with name, basic,
    price, insurance, personal (yuan, Decimal) and optionally items / public_health.

    The basic package is paid by the rule set's split (its catalogue price is only the
    reference), a personalised package by its own insurance and personal shares. A contract
    that carries a basic fee but no basic package row still shows the basic line."""
    lines: list[FeeLine] = []
    basic_seen = False
    for p in packages:
        items = tuple(p.get("items") or ())
        if p["basic"]:
            split = basic_fee if not basic_seen else FeeSplit(Decimal(0), Decimal(0), Decimal(0))
            basic_seen = True
            lines.append(FeeLine(p["name"], True, split, None, items,
                                 bool(p.get("public_health"))))
        else:
            lines.append(FeeLine(p["name"], False,
                                 FeeSplit(Decimal(0), Decimal(p["insurance"]),
                                          Decimal(p["personal"])),
                                 Decimal(p["price"]), items, bool(p.get("public_health"))))
    if not basic_seen and basic_fee.total:
        lines.insert(0, FeeLine(BASIC_PACKAGE_NAME, True, basic_fee))
    lines.sort(key=lambda ln: not ln.basic)  # the basic package first, then in given order
    return ContractFees(tuple(lines))
