"""Enumerations of the registry, each documented with the term the notices use."""

from __future__ import annotations

from django.db import models


class OrganisationRole(models.TextChoices):
    MAH = "mah", "药品上市许可持有人 MAH"
    CMO = "cmo", "受托生产企业 CMO"
    REGISTRANT = "registrant", "医疗器械注册人 device registrant"
    DEVICE_CMO = "device_cmo", "医疗器械受托生产企业 device CMO"
    TESTING_LAB = "testing_lab", "检验机构 testing lab"


class LicenceKind(models.TextChoices):
    DRUG = "drug", "药品生产许可证 drug manufacturing licence"
    DEVICE = "device", "医疗器械生产许可证 device production licence"


class LicenceClass(models.TextChoices):
    """The capital letters of a drug licence's classification code (NMPA announcement 2020 No. 47)."""

    A = "A", "A 自行生产的持有人 MAH manufacturing itself"
    B = "B", "B 委托生产的持有人 MAH commissioning manufacture"
    C = "C", "C 接受委托的生产企业 CMO accepting commissions"
    D = "D", "D 原料药生产企业 API manufacturer"


class DrugCategory(models.TextChoices):
    """The lower-case letters of a drug licence's classification code: what kind of preparation."""

    H = "h", "h 化学药 chemical drug"
    Z = "z", "z 中成药 proprietary Chinese medicine"
    S = "s", "s 生物制品 biologic"
    D = "d", "d 按药品管理的体外诊断试剂 IVD regulated as a drug"
    Y = "y", "y 中药饮片 prepared TCM slices"
    Q = "q", "q 医用气体 medical gas"
    T = "t", "t 特殊药品 special-control drug"
    X = "x", "x 其他 other"


class ProductKind(models.TextChoices):
    DRUG = "drug", "药品 drug"
    DEVICE = "device", "医疗器械 medical device"


class ProductStatus(models.TextChoices):
    MARKETED = "marketed", "已上市 marketed"
    IN_DEVELOPMENT = "in_development", "在研 in development"


class DeviceClass(models.TextChoices):
    I = "I", "第一类 class I"  # noqa: E741 - the regulatory name of the class
    II = "II", "第二类 class II"
    III = "III", "第三类 class III"


class KeyRole(models.TextChoices):
    HEAD_OF_ENTERPRISE = "head_of_enterprise", "企业负责人 head of enterprise"
    LEGAL_REPRESENTATIVE = "legal_representative", "法定代表人 legal representative"
    HEAD_OF_PRODUCTION = "head_of_production", "生产负责人 head of production"
    HEAD_OF_QUALITY = "head_of_quality", "质量负责人 head of quality"
    QP = "qp", "质量受权人 qualified person (QP)"
    STAFF = "staff", "其他人员 other staff"


class ExperienceActivity(models.TextChoices):
    """What a person did in one period; art. 17 counts production and quality management."""

    PRODUCTION = "production", "药品生产 drug production"
    QUALITY = "quality", "质量管理 quality management"
    RND = "rnd", "研发 research and development"
    OTHER = "other", "其他 other"


class InspectionKind(models.TextChoices):
    GMP_COMPLIANCE = "gmp_compliance", "药品GMP符合性检查 GMP compliance inspection"
    LICENSING = "licensing", "许可检查 licensing inspection"


class InspectionConclusion(models.TextChoices):
    COMPLIANT = "compliant", "符合要求 compliant"
    NON_COMPLIANT = "non_compliant", "不符合要求 non-compliant"


# The product risk flags the notices name, with the citation that makes each one matter.
RISK_FLAGS: dict[str, tuple[str, str]] = {
    "sterile": ("无菌药品", "134 art. 5, 17; annex 1"),
    "high_risk": ("高风险产品", "134 art. 5; annex 1"),
    "tcm_injection": ("中药注射剂", "134 art. 17"),
    "multicomponent_biochemical": ("多组分生化药", "134 art. 17"),
    "biologic": ("生物制品", "segmented-production pilot"),
    "vaccine": ("疫苗", "Drug Administration Law art. 32"),
    "innovative": ("创新药", "134 art. 17(1), 26"),
    "improved_new_drug": ("改良型新药", "134 art. 17(1), 26"),
    "shortage": ("国家短缺药品", "134 art. 17(1), 18, 26"),
    "clinically_necessary_short": ("国家临床必需易短缺药品", "134 art. 17(1), 18, 26"),
    "clinically_urgent": ("临床急需药品", "134 art. 17(1), 26"),
    "public_health_emergency": ("应对突发公共卫生事件急需药品", "134 art. 17(1), 26"),
    "rare_disease": ("治疗罕见病的药品", "134 art. 17(1), 26"),
    "foreign_transferred": ("境外生产药品转移至境内生产", "134 art. 17(1), 26"),
    "consistency_evaluated": ("通过仿制药质量和疗效一致性评价", "134 art. 18"),
    "procurement_winner": ("国家组织集采中选药品", "134 art. 27"),
}
