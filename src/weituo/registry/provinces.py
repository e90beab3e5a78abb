"""The 31 provincial divisions and the Xinjiang Production and Construction Corps (XPCC).

Each has its GB/T 2260 code (the first two digits of the administrative-division code that a USCC
carries in positions 3–8) and the one-character abbreviation that opens a drug manufacturing licence
number (苏20160001). XPCC licences are issued by the XPCC drug administration; we use 兵 for it.
"""

from __future__ import annotations

from django.db import models


class Province(models.TextChoices):
    # value = GB/T 2260 two-digit code; label = Chinese name
    BEIJING = "11", "北京市"
    TIANJIN = "12", "天津市"
    HEBEI = "13", "河北省"
    SHANXI = "14", "山西省"
    INNER_MONGOLIA = "15", "内蒙古自治区"
    LIAONING = "21", "辽宁省"
    JILIN = "22", "吉林省"
    HEILONGJIANG = "23", "黑龙江省"
    SHANGHAI = "31", "上海市"
    JIANGSU = "32", "江苏省"
    ZHEJIANG = "33", "浙江省"
    ANHUI = "34", "安徽省"
    FUJIAN = "35", "福建省"
    JIANGXI = "36", "江西省"
    SHANDONG = "37", "山东省"
    HENAN = "41", "河南省"
    HUBEI = "42", "湖北省"
    HUNAN = "43", "湖南省"
    GUANGDONG = "44", "广东省"
    GUANGXI = "45", "广西壮族自治区"
    HAINAN = "46", "海南省"
    CHONGQING = "50", "重庆市"
    SICHUAN = "51", "四川省"
    GUIZHOU = "52", "贵州省"
    YUNNAN = "53", "云南省"
    TIBET = "54", "西藏自治区"
    SHAANXI = "61", "陕西省"
    GANSU = "62", "甘肃省"
    QINGHAI = "63", "青海省"
    NINGXIA = "64", "宁夏回族自治区"
    XINJIANG = "65", "新疆维吾尔自治区"
    XPCC = "66", "新疆生产建设兵团"


ABBREVIATION: dict[str, str] = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉", "23": "黑",
    "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫",
    "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "黔",
    "53": "滇", "54": "藏", "61": "陕", "62": "甘", "63": "青", "64": "宁", "65": "新", "66": "兵",
}  # fmt: skip

PROVINCE_BY_ABBREVIATION: dict[str, str] = {abbr: code for code, abbr in ABBREVIATION.items()}

# English names for the bilingual UI and error messages.
ENGLISH: dict[str, str] = {
    "11": "Beijing", "12": "Tianjin", "13": "Hebei", "14": "Shanxi", "15": "Inner Mongolia",
    "21": "Liaoning", "22": "Jilin", "23": "Heilongjiang", "31": "Shanghai", "32": "Jiangsu",
    "33": "Zhejiang", "34": "Anhui", "35": "Fujian", "36": "Jiangxi", "37": "Shandong", "41": "Henan",
    "42": "Hubei", "43": "Hunan", "44": "Guangdong", "45": "Guangxi", "46": "Hainan", "50": "Chongqing",
    "51": "Sichuan", "52": "Guizhou", "53": "Yunnan", "54": "Tibet", "61": "Shaanxi", "62": "Gansu",
    "63": "Qinghai", "64": "Ningxia", "65": "Xinjiang", "66": "XPCC",
}  # fmt: skip
