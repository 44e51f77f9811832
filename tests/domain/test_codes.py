"""One label table per kind: values shared by several kinds keep their own labels."""
from enum import StrEnum

import familydoc_desktop.domain.codes as codes
from familydoc_desktop.domain.codes import (
    Condition, ContractStatus, LABELS_ZH, MentalClass, OrgLevel, Population, ReferralStatus,
    TerminationReason, VisitClass, VisitKind, VisitMethod, label, visit_class_label)


def test_shared_values_have_their_own_kind_labels():
    assert label(ReferralStatus, "received") == "已接收"
    assert label(ContractStatus, "pending") == "未生效"
    assert "pending" not in set(ReferralStatus)
    assert label(Population, "hypertension") == "高血压患者"
    assert label(Condition, "hypertension") == "高血压"
    assert label(VisitKind, "hypertension") == "高血压随访"
    assert label(VisitMethod, "clinic") == "门诊"
    assert label(OrgLevel, "clinic") == "村卫生室"


def test_every_code_of_every_kind_has_a_chinese_label():
    kinds = [v for v in vars(codes).values()
             if isinstance(v, type) and issubclass(v, StrEnum) and v is not StrEnum]
    missing = {k.__name__ for k in kinds} - {k.__name__ for k in LABELS_ZH}
    # Roles are shown through the server's account screens, not as stored codes.
    assert missing <= {"Role", "TeamRole"}
    for kind, table in LABELS_ZH.items():
        for code in kind:
            assert table.get(code), f"{kind.__name__}.{code.name} has no label"


def test_no_code_and_unknown_code():
    assert label(TerminationReason, None) == ""
    assert label(TerminationReason, "") == ""
    assert label(TerminationReason, "gone_fishing") == "gone_fishing"


def test_visit_class_label_reads_both_class_kinds():
    assert visit_class_label(VisitClass.UNSATISFACTORY) == "控制不满意"
    assert visit_class_label(MentalClass.UNSTABLE) == "病情不稳定"
    assert visit_class_label(None) == ""
