"""UI labels: one table per kind in both languages."""
import pytest

from familydoc_desktop.domain import codes
from familydoc_desktop.ui import labels


@pytest.fixture
def english():
    labels.set_language("en")
    yield
    labels.set_language("zh_CN")


def test_chinese_labels_follow_the_kind():
    assert labels.referral_status_label("sent") == "已转出"
    assert labels.label(codes.Population, "hypertension") == "高血压患者"
    assert labels.label(codes.VisitKind, "hypertension") == "高血压随访"
    assert labels.label(codes.ContractStatus, "pending") == "未生效"
    assert labels.unsigned_label() == "未签约"


def test_every_labelled_code_has_an_english_label(english):
    for kind in codes.LABELS_ZH:
        for code in kind:
            text = labels.label(kind, code)
            assert text and text != str(code), f"{kind.__name__}.{code.name}"
            assert all(ord(ch) < 128 for ch in text), f"{kind.__name__}.{code.name}: {text}"
    assert labels.unsigned_label() == "Not signed"
