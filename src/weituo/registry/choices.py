"""Enumerations of the registry, each documented with the term the notices use."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrganisationRole(models.TextChoices):
    MAH = "mah", pgettext_lazy("OrganisationRole", "MAH")
    CMO = "cmo", pgettext_lazy("OrganisationRole", "CMO")
    REGISTRANT = "registrant", _("device registrant")
    DEVICE_CMO = "device_cmo", _("device CMO")
    TESTING_LAB = "testing_lab", _("testing lab")


class LicenceKind(models.TextChoices):
    DRUG = "drug", _("drug manufacturing licence")
    DEVICE = "device", _("device production licence")


class LicenceClass(models.TextChoices):
    """The capital letters of a drug licence's classification code (NMPA announcement 2020 No. 47)."""

    A = "A", _("A MAH manufacturing itself")
    B = "B", _("B MAH commissioning manufacture")
    C = "C", _("C CMO accepting commissions")
    D = "D", _("D API manufacturer")


class DrugCategory(models.TextChoices):
    """The lower-case letters of a drug licence's classification code: what kind of preparation."""

    H = "h", _("h chemical drug")
    Z = "z", _("z proprietary Chinese medicine")
    S = "s", _("s biologic")
    D = "d", _("d IVD regulated as a drug")
    Y = "y", _("y prepared TCM slices")
    Q = "q", _("q medical gas")
    T = "t", _("t special-control drug")
    X = "x", _("x other")


class ProductKind(models.TextChoices):
    DRUG = "drug", _("drug")
    DEVICE = "device", _("medical device")


class ProductStatus(models.TextChoices):
    MARKETED = "marketed", _("marketed")
    IN_DEVELOPMENT = "in_development", _("in development")


class DeviceClass(models.TextChoices):
    I = "I", _("class I")  # noqa: E741 - the regulatory name of the class
    II = "II", _("class II")
    III = "III", _("class III")


class KeyRole(models.TextChoices):
    HEAD_OF_ENTERPRISE = "head_of_enterprise", _("head of enterprise")
    LEGAL_REPRESENTATIVE = "legal_representative", _("legal representative")
    HEAD_OF_PRODUCTION = "head_of_production", _("head of production")
    HEAD_OF_QUALITY = "head_of_quality", _("head of quality")
    QP = "qp", _("qualified person (QP)")
    STAFF = "staff", _("other staff")


class ExperienceActivity(models.TextChoices):
    """What a person did in one period; art. 17 counts production and quality management."""

    PRODUCTION = "production", _("drug production")
    QUALITY = "quality", _("quality management")
    RND = "rnd", _("research and development")
    OTHER = "other", pgettext_lazy("ExperienceActivity", "other")


class EnterpriseActivity(models.TextChoices):
    """An enterprise's experience outside commercial production (art. 17 exceptions; the lines give
    the commercial production)."""

    RND = "rnd", _("research and development")
    PRODUCTION = "production", _("non-commercial production (clinical-trial or validation batches)")


class PilotCategory(models.TextChoices):
    """What kind of biologic a segmented-production pilot product is (the 2024 pilot plan 二（三）)."""

    INNOVATIVE = "innovative", _("innovative biologic")
    CLINICALLY_URGENT = "clinically_urgent", _("clinically urgent biologic")
    MULTIVALENT_VACCINE = "multivalent_vaccine", _("multivalent or combined vaccine")
    ANTIBODY = "antibody", _("antibody")
    ANTIBODY_DRUG_CONJUGATE = "adc", _("antibody-drug conjugate")
    GLP1 = "glp1", _("GLP-1 biologic")
    INSULIN = "insulin", _("insulin")
    DESIGNATED = "designated", _("another biologic designated by the NMPA")
    OTHER = "other", _("none of these")


class InspectionKind(models.TextChoices):
    GMP_COMPLIANCE = "gmp_compliance", _("GMP compliance inspection")
    LICENSING = "licensing", _("licensing inspection")


class InspectionConclusion(models.TextChoices):
    COMPLIANT = "compliant", _("compliant")
    NON_COMPLIANT = "non_compliant", _("non-compliant")


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
