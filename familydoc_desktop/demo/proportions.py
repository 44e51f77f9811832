"""What the demo township looks like: its age pyramid, household sizes, prevalence of
chronic disease, service packages, drugs, sickbed diagnoses and health-push topics, and the
defaults (fees, township code) used when the caller gives none. Numbers only; the generator
(township.py, care.py) draws from them.
"""
from __future__ import annotations

from datetime import timedelta, timezone

from familydoc_desktop.domain.codes import PackageKind, SickbedType
from familydoc_desktop.domain.models import SYNCED_MODELS

TABLE_ORDER: tuple[str, ...] = tuple(m.__tablename__ for m in SYNCED_MODELS)
BEIJING = timezone(timedelta(hours=8))
HLC_NODE = "demo"
# Jilin basic-package fee (seed 003 §3), used when the caller passes no fee preset.
DEFAULT_FEES = {"version": "jilin-2017.1", "public_health": "30", "insurance": "20",
                "personal": "0", "min_total": "50"}
DEFAULT_FEE_PRESET = "fees_jilin"
DEFAULT_TOWNSHIP_CODE = "220182105000"

# 5-year age bands (start age, weight): a rural township after decades of out-migration of
# working-age adults (older-skewed; 65+ about 21 %, 80+ about 3 %).
AGE_BANDS: tuple[tuple[int, float], ...] = (
    (0, 4.5), (5, 5.5), (10, 5.5), (15, 4.5), (20, 3.5), (25, 4.0), (30, 5.5), (35, 5.5),
    (40, 5.5), (45, 8.0), (50, 9.5), (55, 8.5), (60, 6.5), (65, 7.5), (70, 6.0), (75, 3.5),
    (80, 1.9), (85, 0.8), (90, 0.25), (95, 0.05),
)
HOUSEHOLD_SIZES = ((1, 15), (2, 28), (3, 22), (4, 18), (5, 11), (6, 6))
# Prevalence by age (lower bound of band, probability); adults overall land near 18 % / 7 %.
HYPERTENSION_BY_AGE = ((18, 0.025), (35, 0.09), (45, 0.17), (55, 0.26), (65, 0.33), (75, 0.38))
DIABETES_BY_AGE = ((18, 0.008), (35, 0.035), (45, 0.07), (55, 0.10), (65, 0.12), (75, 0.11))

PACKAGES = (  # code, name, kind, category, tier, price yuan, public health
    ("BASIC", "基础服务包", PackageKind.BASIC, None, None, 50, True),
    ("CHRONIC", "慢病管理服务包", PackageKind.PERSONALISED, "chronic", "basic", 120, False),
    ("ELDERLY", "老年人健康服务包", PackageKind.PERSONALISED, "home_visit", "basic", 100, False),
    ("REHAB", "康复服务包", PackageKind.PERSONALISED, "rehabilitation", "intermediate", 200, False),
    ("TCM", "中医药服务包", PackageKind.PERSONALISED, "tcm", "basic", 80, False),
    ("CHILD", "儿童健康服务包", PackageKind.PERSONALISED, "child", "basic", 60, False),
)
DRUGS = ("苯磺酸氨氯地平片 5mg 每日一次", "硝苯地平缓释片 20mg 每日两次",
         "厄贝沙坦片 150mg 每日一次", "二甲双胍片 0.5g 每日三次", "格列美脲片 2mg 每日一次",
         "阿卡波糖片 50mg 每日三次", "吲达帕胺片 2.5mg 每日一次")
SICKBED_DIAGNOSES = {
    SickbedType.TREATMENT: ("慢性阻塞性肺疾病急性加重", "高血压病3级", "糖尿病足", "肺部感染"),
    SickbedType.REHABILITATION: ("脑梗死后遗症", "股骨颈骨折术后", "脑出血恢复期"),
    SickbedType.PALLIATIVE: ("肺癌晚期", "胃癌晚期", "肝癌晚期"),
}
PUSH_TOPICS = ("高血压患者的饮食注意事项", "冬季预防流感", "糖尿病足的日常护理", "老年人防跌倒",
               "合理用药常识", "儿童预防接种提醒", "春季传染病预防", "家庭医生签约服务介绍")
