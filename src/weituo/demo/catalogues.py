"""Reference tables of the synthetic data: cities, line types, real generic names, devices, profiles.

Plain data, no randomness: the generator draws from these with its seeded ``random.Random``.
"""

from __future__ import annotations

from dataclasses import dataclass

# Per province: (city or district, GB/T 2260 administrative-division code). The code goes into
# positions 3–8 of a USCC, so it starts with the province's two digits. The XPCC has no division of
# its own in GB/T 2260; we use 66xxxx like the province code in ``registry/provinces.py``.
CITIES: dict[str, tuple[tuple[str, str], ...]] = {
    "11": (("海淀区", "110108"), ("大兴区", "110115"), ("昌平区", "110114"), ("通州区", "110112")),
    "12": (("滨海新区", "120116"), ("西青区", "120111"), ("北辰区", "120113")),
    "13": (("石家庄市", "130100"), ("保定市", "130600"), ("沧州市", "130900"), ("唐山市", "130200")),
    "14": (("太原市", "140100"), ("大同市", "140200"), ("运城市", "140800")),
    "15": (("呼和浩特市", "150100"), ("包头市", "150200"), ("赤峰市", "150400")),
    "21": (("沈阳市", "210100"), ("大连市", "210200"), ("本溪市", "210500")),
    "22": (("长春市", "220100"), ("吉林市", "220200"), ("通化市", "220500")),
    "23": (("哈尔滨市", "230100"), ("齐齐哈尔市", "230200"), ("牡丹江市", "231000")),
    "31": (("浦东新区", "310115"), ("闵行区", "310112"), ("奉贤区", "310120"), ("金山区", "310116")),
    "32": (
        ("南京市", "320100"), ("无锡市", "320200"), ("徐州市", "320300"), ("常州市", "320400"),
        ("苏州市", "320500"), ("南通市", "320600"), ("连云港市", "320700"), ("淮安市", "320800"),
        ("盐城市", "320900"), ("扬州市", "321000"), ("镇江市", "321100"), ("泰州市", "321200"),
        ("宿迁市", "321300"),
    ),
    "33": (("杭州市", "330100"), ("宁波市", "330200"), ("台州市", "331000"), ("绍兴市", "330600"), ("金华市", "330700")),
    "34": (("合肥市", "340100"), ("亳州市", "341600"), ("芜湖市", "340200")),
    "35": (("福州市", "350100"), ("厦门市", "350200"), ("漳州市", "350600")),
    "36": (("南昌市", "360100"), ("赣州市", "360700"), ("宜春市", "360900")),
    "37": (
        ("济南市", "370100"), ("青岛市", "370200"), ("淄博市", "370300"), ("烟台市", "370600"),
        ("临沂市", "371300"), ("菏泽市", "371700"),
    ),
    "41": (("郑州市", "410100"), ("新乡市", "410700"), ("南阳市", "411300")),
    "42": (("武汉市", "420100"), ("宜昌市", "420500"), ("黄冈市", "421100")),
    "43": (("长沙市", "430100"), ("株洲市", "430200"), ("益阳市", "430900")),
    "44": (("广州市", "440100"), ("深圳市", "440300"), ("珠海市", "440400"), ("中山市", "442000")),
    "45": (("南宁市", "450100"), ("桂林市", "450300"), ("梧州市", "450400")),
    "46": (("海口市", "460100"), ("三亚市", "460200")),
    "50": (("渝北区", "500112"), ("江北区", "500105"), ("涪陵区", "500102")),
    "51": (("成都市", "510100"), ("绵阳市", "510700"), ("德阳市", "510600")),
    "52": (("贵阳市", "520100"), ("遵义市", "520300")),
    "53": (("昆明市", "530100"), ("玉溪市", "530400")),
    "54": (("拉萨市", "540100"), ("林芝市", "540400")),
    "61": (("西安市", "610100"), ("咸阳市", "610400"), ("宝鸡市", "610300")),
    "62": (("兰州市", "620100"), ("天水市", "620500")),
    "63": (("西宁市", "630100"), ("海东市", "630200")),
    "64": (("银川市", "640100"), ("石嘴山市", "640200")),
    "65": (("乌鲁木齐市", "650100"), ("昌吉回族自治州", "652300")),
    "66": (("石河子市", "660100"), ("五家渠市", "660600")),
}  # fmt: skip

# Relative size of each province's pharmaceutical industry, for the national world.
PROVINCE_WEIGHTS: dict[str, int] = {
    "11": 5, "12": 3, "13": 5, "14": 2, "15": 1, "21": 3, "22": 5, "23": 3, "31": 5, "32": 9, "33": 7,
    "34": 4, "35": 2, "36": 4, "37": 9, "41": 5, "42": 4, "43": 3, "44": 8, "45": 2, "46": 2, "50": 2,
    "51": 5, "52": 3, "53": 2, "54": 1, "61": 3, "62": 1, "63": 1, "64": 1, "65": 1, "66": 1,
}  # fmt: skip

ZONES = ("经济技术开发区", "高新技术产业开发区", "生物医药产业园", "工业园区", "医药产业园", "化工园区")


@dataclass(frozen=True, slots=True)
class LineType:
    key: str
    label: str
    dosage_forms: tuple[str, ...]
    sterile: bool
    unit: str
    capacity: tuple[int, int]  # design capacity range, in ``unit``
    workshop: str
    device: bool = False


LINE_TYPES: dict[str, LineType] = {
    t.key: t
    for t in (
        LineType("oral_solid", "口服固体制剂", ("片剂", "硬胶囊剂", "颗粒剂"), False, "万片（粒、袋）/年", (20000, 300000), "固体制剂车间"),
        LineType("oral_liquid", "口服液体制剂", ("口服溶液剂", "合剂", "糖浆剂", "口服混悬剂"), False, "万瓶/年", (1000, 20000), "口服液体制剂车间"),
        LineType("topical", "软膏剂", ("软膏剂", "乳膏剂"), False, "万支/年", (500, 6000), "外用制剂车间"),
        LineType("tcm_solid", "中药固体制剂", ("颗粒剂", "片剂", "硬胶囊剂", "丸剂"), False, "万袋（片、粒）/年", (10000, 200000), "中药提取及制剂车间"),
        LineType("small_injection", "小容量注射剂", ("小容量注射剂",), True, "万支/年", (2000, 30000), "小容量注射剂车间"),
        LineType("lyophilised", "冻干粉针剂", ("冻干粉针剂", "粉针剂"), True, "万瓶/年", (300, 6000), "冻干粉针剂车间"),
        LineType("large_injection", "大容量注射剂", ("大容量注射剂",), True, "万瓶/年", (3000, 40000), "大容量注射剂车间"),
        LineType("biologic", "生物制品制剂", ("小容量注射剂", "冻干粉针剂"), True, "万支/年", (100, 3000), "生物制品车间"),
        LineType("device_implant", "植入器械", ("无源植入器械", "有源植入器械"), True, "件/年", (5000, 200000), "植入器械洁净车间", True),
        LineType("device_sterile", "无菌医疗器械", ("无菌医疗器械",), True, "万件/年", (500, 20000), "无菌器械洁净车间", True),
        LineType("device_active", "有源医疗器械", ("有源医疗器械",), False, "台/年", (10000, 500000), "有源器械装配车间", True),
        LineType("device_general", "医用防护用品", ("非无菌医疗器械",), False, "万只/年", (1000, 50000), "医用防护用品车间", True),
    )
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Generic:
    """A real generic name with its dosage form, drug category (h/z/s), line type, strengths and flags."""

    name: str
    form: str
    category: str
    line: str
    strengths: tuple[str, ...]
    flags: tuple[str, ...] = ()


_G = Generic
GENERICS: tuple[Generic, ...] = (
    # chemical drugs, oral solid
    _G("阿莫西林胶囊", "硬胶囊剂", "h", "oral_solid", ("0.25g", "0.5g"), ("procurement_winner", "consistency_evaluated")),
    _G("头孢氨苄胶囊", "硬胶囊剂", "h", "oral_solid", ("0.125g", "0.25g")),
    _G("盐酸二甲双胍片", "片剂", "h", "oral_solid", ("0.25g", "0.5g"), ("procurement_winner", "consistency_evaluated")),
    _G("阿托伐他汀钙片", "片剂", "h", "oral_solid", ("10mg", "20mg"), ("procurement_winner", "consistency_evaluated")),
    _G("苯磺酸氨氯地平片", "片剂", "h", "oral_solid", ("5mg",), ("procurement_winner", "consistency_evaluated")),
    _G("硝苯地平缓释片", "片剂", "h", "oral_solid", ("10mg", "20mg")),
    _G("奥美拉唑肠溶胶囊", "硬胶囊剂", "h", "oral_solid", ("10mg", "20mg"), ("consistency_evaluated",)),
    _G("硫酸氢氯吡格雷片", "片剂", "h", "oral_solid", ("25mg", "75mg"), ("procurement_winner", "consistency_evaluated")),
    _G("阿司匹林肠溶片", "片剂", "h", "oral_solid", ("25mg", "100mg")),
    _G("对乙酰氨基酚片", "片剂", "h", "oral_solid", ("0.3g", "0.5g")),
    _G("布洛芬缓释胶囊", "硬胶囊剂", "h", "oral_solid", ("0.3g",)),
    _G("瑞舒伐他汀钙片", "片剂", "h", "oral_solid", ("5mg", "10mg"), ("procurement_winner", "consistency_evaluated")),
    _G("恩替卡韦片", "片剂", "h", "oral_solid", ("0.5mg", "1mg"), ("procurement_winner", "consistency_evaluated")),
    _G("孟鲁司特钠片", "片剂", "h", "oral_solid", ("10mg",), ("consistency_evaluated",)),
    _G("盐酸左氧氟沙星片", "片剂", "h", "oral_solid", ("0.25g", "0.5g"), ("consistency_evaluated",)),
    _G("格列美脲片", "片剂", "h", "oral_solid", ("1mg", "2mg")),
    _G("厄贝沙坦片", "片剂", "h", "oral_solid", ("75mg", "150mg"), ("consistency_evaluated",)),
    _G("缬沙坦胶囊", "硬胶囊剂", "h", "oral_solid", ("80mg",)),
    _G("替格瑞洛片", "片剂", "h", "oral_solid", ("90mg",), ("procurement_winner", "consistency_evaluated")),
    _G("阿奇霉素颗粒", "颗粒剂", "h", "oral_solid", ("0.1g",)),
    _G("甲巯咪唑片", "片剂", "h", "oral_solid", ("5mg",), ("shortage", "clinically_necessary_short")),
    _G("碳酸锂片", "片剂", "h", "oral_solid", ("0.25g",), ("clinically_necessary_short",)),
    _G("利鲁唑片", "片剂", "h", "oral_solid", ("50mg",), ("rare_disease",)),
    _G("盐酸沙丙蝶呤片", "片剂", "h", "oral_solid", ("100mg",), ("rare_disease",)),
    _G("枸橼酸西地那非片", "片剂", "h", "oral_solid", ("50mg", "100mg")),
    _G("甲磺酸阿美替尼片", "片剂", "h", "oral_solid", ("55mg",), ("innovative",)),
    _G("羟乙磺酸达尔西利片", "片剂", "h", "oral_solid", ("50mg", "150mg"), ("innovative",)),
    # chemical drugs, oral liquid and topical
    _G("盐酸氨溴索口服溶液", "口服溶液剂", "h", "oral_liquid", ("100ml:0.6g",)),
    _G("复方甘草口服溶液", "口服溶液剂", "h", "oral_liquid", ("100ml",)),
    _G("布洛芬混悬液", "口服混悬剂", "h", "oral_liquid", ("100ml:2g",), ("consistency_evaluated",)),
    _G("右美沙芬愈创甘油醚糖浆", "糖浆剂", "h", "oral_liquid", ("120ml",)),
    _G("红霉素软膏", "软膏剂", "h", "topical", ("1%",)),
    _G("莫匹罗星软膏", "软膏剂", "h", "topical", ("2%",)),
    _G("阿昔洛韦乳膏", "乳膏剂", "h", "topical", ("3%",)),
    _G("醋酸曲安奈德乳膏", "乳膏剂", "h", "topical", ("0.025%",)),
    # chemical drugs, sterile
    _G("盐酸利多卡因注射液", "小容量注射剂", "h", "small_injection", ("5ml:0.1g", "10ml:0.2g")),
    _G("维生素C注射液", "小容量注射剂", "h", "small_injection", ("2ml:0.5g", "5ml:1g")),
    _G("地塞米松磷酸钠注射液", "小容量注射剂", "h", "small_injection", ("1ml:2mg", "1ml:5mg")),
    _G("硫酸阿米卡星注射液", "小容量注射剂", "h", "small_injection", ("2ml:0.2g",)),
    _G("盐酸氨溴索注射液", "小容量注射剂", "h", "small_injection", ("2ml:15mg", "4ml:30mg"), ("consistency_evaluated",)),
    _G("盐酸右美托咪定注射液", "小容量注射剂", "h", "small_injection", ("2ml:0.2mg",), ("procurement_winner", "consistency_evaluated")),
    _G("硫酸鱼精蛋白注射液", "小容量注射剂", "h", "small_injection", ("5ml:50mg",), ("shortage",)),
    _G("去乙酰毛花苷注射液", "小容量注射剂", "h", "small_injection", ("2ml:0.4mg",), ("shortage", "clinically_necessary_short")),
    _G("碘解磷定注射液", "小容量注射剂", "h", "small_injection", ("20ml:0.5g",), ("clinically_necessary_short", "public_health_emergency")),
    _G("依诺肝素钠注射液", "小容量注射剂", "h", "small_injection", ("0.4ml:4000AXaIU",), ("multicomponent_biochemical",)),
    _G("肝素钠注射液", "小容量注射剂", "h", "small_injection", ("2ml:12500单位",), ("multicomponent_biochemical",)),
    _G("小牛血清去蛋白注射液", "小容量注射剂", "h", "small_injection", ("5ml:0.2g", "10ml:0.4g"), ("multicomponent_biochemical",)),
    _G("骨肽注射液", "小容量注射剂", "h", "small_injection", ("2ml:10mg",), ("multicomponent_biochemical",)),
    _G("脑苷肌肽注射液", "小容量注射剂", "h", "small_injection", ("2ml",), ("multicomponent_biochemical",)),
    _G("注射用头孢曲松钠", "粉针剂", "h", "lyophilised", ("0.5g", "1.0g"), ("procurement_winner", "consistency_evaluated")),
    _G("注射用头孢呋辛钠", "粉针剂", "h", "lyophilised", ("0.75g", "1.5g")),
    _G("注射用奥美拉唑钠", "冻干粉针剂", "h", "lyophilised", ("40mg",), ("procurement_winner", "consistency_evaluated")),
    _G("注射用泮托拉唑钠", "冻干粉针剂", "h", "lyophilised", ("40mg",)),
    _G("注射用甲泼尼龙琥珀酸钠", "冻干粉针剂", "h", "lyophilised", ("40mg",)),
    _G("注射用胸腺法新", "冻干粉针剂", "h", "lyophilised", ("1.6mg",)),
    _G("注射用脑蛋白水解物", "冻干粉针剂", "h", "lyophilised", ("30mg",), ("multicomponent_biochemical",)),
    _G("注射用复合辅酶", "冻干粉针剂", "h", "lyophilised", ("200单位",), ("multicomponent_biochemical",)),
    _G("注射用放线菌素D", "冻干粉针剂", "h", "lyophilised", ("0.2mg",), ("shortage",)),
    _G("注射用紫杉醇（白蛋白结合型）", "冻干粉针剂", "h", "lyophilised", ("100mg",), ("improved_new_drug",)),
    _G("注射用阿奇霉素", "冻干粉针剂", "h", "lyophilised", ("0.25g", "0.5g")),
    _G("注射用艾博卫泰", "冻干粉针剂", "h", "lyophilised", ("160mg",), ("innovative",)),
    _G("氯化钠注射液", "大容量注射剂", "h", "large_injection", ("250ml:2.25g", "500ml:4.5g")),
    _G("葡萄糖注射液", "大容量注射剂", "h", "large_injection", ("250ml:12.5g", "500ml:25g")),
    _G("左氧氟沙星氯化钠注射液", "大容量注射剂", "h", "large_injection", ("100ml:0.5g",)),
    _G("甲硝唑氯化钠注射液", "大容量注射剂", "h", "large_injection", ("100ml:0.5g",)),
    _G("复方氨基酸注射液（18AA）", "大容量注射剂", "h", "large_injection", ("250ml:12.5g",)),
    # proprietary Chinese medicines
    _G("板蓝根颗粒", "颗粒剂", "z", "tcm_solid", ("10g",)),
    _G("连花清瘟胶囊", "硬胶囊剂", "z", "tcm_solid", ("0.35g",), ("public_health_emergency",)),
    _G("六味地黄丸", "丸剂", "z", "tcm_solid", ("每8丸重1.44g",)),
    _G("复方丹参片", "片剂", "z", "tcm_solid", ("每片重0.32g",)),
    _G("小柴胡颗粒", "颗粒剂", "z", "tcm_solid", ("10g",)),
    _G("银黄颗粒", "颗粒剂", "z", "tcm_solid", ("4g",)),
    _G("感冒清热颗粒", "颗粒剂", "z", "tcm_solid", ("12g",)),
    _G("清开灵胶囊", "硬胶囊剂", "z", "tcm_solid", ("0.25g",)),
    _G("脑心通胶囊", "硬胶囊剂", "z", "tcm_solid", ("0.4g",)),
    _G("蒲地蓝消炎片", "片剂", "z", "tcm_solid", ("0.3g",)),
    _G("双黄连口服液", "合剂", "z", "oral_liquid", ("10ml",)),
    _G("小儿肺热咳喘口服液", "合剂", "z", "oral_liquid", ("10ml",)),
    # TCM injections (sterile)
    _G("丹参注射液", "小容量注射剂", "z", "small_injection", ("10ml",), ("tcm_injection",)),
    _G("参麦注射液", "小容量注射剂", "z", "small_injection", ("10ml", "20ml"), ("tcm_injection",)),
    _G("血必净注射液", "小容量注射剂", "z", "small_injection", ("10ml",), ("tcm_injection",)),
    _G("喜炎平注射液", "小容量注射剂", "z", "small_injection", ("2ml:50mg",), ("tcm_injection",)),
    _G("疏血通注射液", "小容量注射剂", "z", "small_injection", ("2ml",), ("tcm_injection",)),
    _G("生脉注射液", "小容量注射剂", "z", "small_injection", ("10ml",), ("tcm_injection",)),
    _G("注射用血栓通（冻干）", "冻干粉针剂", "z", "lyophilised", ("150mg",), ("tcm_injection",)),
    _G("注射用丹参多酚酸盐", "冻干粉针剂", "z", "lyophilised", ("100mg",), ("tcm_injection",)),
    # biologics
    _G("重组人胰岛素注射液", "小容量注射剂", "s", "biologic", ("3ml:300单位",), ("procurement_winner",)),
    _G("甘精胰岛素注射液", "小容量注射剂", "s", "biologic", ("3ml:300单位",), ("procurement_winner",)),
    _G("门冬胰岛素注射液", "小容量注射剂", "s", "biologic", ("3ml:300单位",), ("procurement_winner",)),
    _G("重组人干扰素α2b注射液", "小容量注射剂", "s", "biologic", ("1ml:300万IU",)),
    _G("注射用重组人生长激素", "冻干粉针剂", "s", "biologic", ("4IU",)),
    _G("贝伐珠单抗注射液", "小容量注射剂", "s", "biologic", ("4ml:100mg",)),
    _G("阿达木单抗注射液", "小容量注射剂", "s", "biologic", ("0.8ml:40mg",)),
    _G("注射用重组人脑利钠肽", "冻干粉针剂", "s", "biologic", ("0.5mg",)),
    _G("注射用卡瑞利珠单抗", "冻干粉针剂", "s", "biologic", ("200mg",), ("innovative",)),
    _G("冻干人用狂犬病疫苗（Vero细胞）", "冻干粉针剂", "s", "biologic", ("复溶后每瓶0.5ml",), ("vaccine",)),
)  # fmt: skip

# In-development products carry a code name until approval: (dosage form, line type, category, name pattern).
CODE_NAMED_FORMS: tuple[tuple[str, str, str, str], ...] = (
    ("片剂", "oral_solid", "h", "{code}片"),
    ("硬胶囊剂", "oral_solid", "h", "{code}胶囊"),
    ("小容量注射剂", "small_injection", "h", "{code}注射液"),
    ("冻干粉针剂", "lyophilised", "h", "注射用{code}"),
    ("小容量注射剂", "biologic", "s", "{code}注射液"),
    ("冻干粉针剂", "biologic", "s", "注射用{code}"),
    ("颗粒剂", "tcm_solid", "z", "{code}颗粒"),
)


@dataclass(frozen=True, slots=True)
class DeviceEntry:
    name: str
    device_class: str  # II or III (class I is filed, not registered)
    category: str  # two-digit category of the classification catalogue, as in the certificate number
    line: str
    implantable: bool = False
    prohibited: bool = False  # in the catalogue of devices that may not be contract-manufactured


_D = DeviceEntry
DEVICES: tuple[DeviceEntry, ...] = (
    _D("髋关节假体", "III", "13", "device_implant", implantable=True),
    _D("膝关节假体", "III", "13", "device_implant", implantable=True),
    _D("冠状动脉药物洗脱支架系统", "III", "13", "device_implant", implantable=True),
    _D("人工晶状体", "III", "16", "device_implant", implantable=True),
    _D("可吸收性外科缝线", "III", "02", "device_implant", implantable=True),
    _D("植入式心脏起搏器", "III", "12", "device_implant", implantable=True, prohibited=True),
    _D("一次性使用无菌注射器", "III", "14", "device_sterile"),
    _D("一次性使用输液器 带针", "III", "14", "device_sterile"),
    _D("一次性使用无菌导尿管", "II", "14", "device_sterile"),
    _D("一次性使用无菌手术包", "II", "14", "device_sterile"),
    _D("电子血压计", "II", "07", "device_active"),
    _D("医用雾化器", "II", "08", "device_active"),
    _D("红外体温计", "II", "07", "device_active"),
    _D("医用外科口罩", "II", "14", "device_general"),
    _D("医用超声耦合剂", "II", "06", "device_general"),
    _D("脊柱内固定系统", "III", "13", "device_implant", implantable=True),
    _D("金属锁定接骨板", "III", "13", "device_implant", implantable=True),
    _D("牙种植体", "III", "17", "device_implant", implantable=True),
    _D("心脏封堵器", "III", "13", "device_implant", implantable=True),
    _D("一次性使用静脉留置针", "III", "14", "device_sterile"),
    _D("一次性使用无菌采血针", "II", "14", "device_sterile"),
    _D("一次性使用吸痰管", "II", "08", "device_sterile"),
    _D("一次性使用灭菌橡胶外科手套", "II", "14", "device_sterile"),
    _D("医用制氧机", "II", "08", "device_active"),
    _D("心电图机", "II", "07", "device_active"),
    _D("脉搏血氧仪", "II", "07", "device_active"),
    _D("超声诊断设备", "II", "06", "device_active"),
    _D("医用防护口罩", "II", "14", "device_general"),
    _D("一次性使用医用防护服", "II", "14", "device_general"),
    _D("医用输液贴", "II", "14", "device_general"),
)  # fmt: skip

# Line-type mixes: what a CMO (or an MAH's own plant) is built for. The first entries are built first.
CMO_PROFILES: tuple[tuple[str, ...], ...] = (
    ("small_injection", "lyophilised", "large_injection"),
    ("oral_solid", "oral_liquid", "topical"),
    ("tcm_solid", "small_injection", "oral_liquid"),
    ("biologic", "lyophilised"),
    ("oral_solid", "small_injection", "lyophilised"),
)
OWN_PLANT_PROFILES: tuple[tuple[str, ...], ...] = (
    ("oral_solid",),
    ("oral_solid", "oral_liquid"),
    ("small_injection", "lyophilised"),
    ("large_injection", "small_injection"),
    ("tcm_solid", "oral_liquid"),
    ("tcm_solid", "small_injection"),
    ("biologic",),
    ("oral_solid", "topical"),
)
DEVICE_PROFILES: tuple[tuple[str, ...], ...] = (
    ("device_implant", "device_sterile"),
    ("device_active", "device_general"),
    ("device_sterile", "device_general", "device_implant"),
)

# Baseline responsibility matrix: (activity, parties to draw from, detail).
RESPONSIBILITIES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("material_purchasing", ("cmo", "cmo", "mah"), "按持有人批准的合格供应商目录采购原辅料及包装材料"),
    ("supplier_audit", ("both",), "持有人组织、受托方参与主要物料供应商现场审计"),
    ("incoming_testing", ("cmo",), "受托方按注册标准对原辅料、包装材料进行检验"),
    ("release_testing", ("cmo", "cmo", "both"), "受托方完成成品全项检验，持有人可抽检复核"),
    ("factory_release", ("cmo",), "受托方质量受权人审核批记录后签字出厂放行"),
    ("market_release", ("mah",), "持有人质量受权人审核检验结果、关键生产记录和偏差后上市放行"),
    ("retention", ("both", "cmo"), "成品留样双方各自保存，保存至有效期后一年"),
    ("stability", ("cmo", "mah", "both"), "按持有人批准的方案开展持续稳定性考察"),
    ("deviation_handling", ("both",), "受托方调查处理，重大偏差须经持有人批准关闭"),
    ("change_approval", ("mah",), "涉及受托生产产品的变更须经持有人批准后实施"),
    ("oos_investigation", ("cmo", "both"), "受托方实验室调查，持有人审核调查结论"),
    ("complaints", ("mah",), "持有人受理投诉，受托方配合调查"),
    ("recall", ("mah",), "持有人决定并组织召回，受托方配合"),
    ("pharmacovigilance", ("mah",), "持有人开展药物警戒，受托方提供相关生产信息"),
    ("revalidation", ("cmo", "both"), "工艺再验证按持有人标准执行"),
    ("record_archiving", ("both",), "批记录原件由受托方保存，持有人保存电子副本"),
    ("annual_review", ("mah", "both"), "持有人组织年度产品质量回顾分析，受托方提供数据"),
)

# Baseline communication list: category → possible (time limit, unit) pairs.
COMMUNICATION_LIMITS: dict[str, tuple[tuple[int, str], ...]] = {
    "deviation": ((24, "hours"), (1, "working_days")),
    "change": ((5, "working_days"), (3, "working_days")),
    "oos_oot": ((24, "hours"), (1, "working_days")),
    "validation": ((10, "working_days"), (5, "working_days")),
    "retention_stability": ((10, "working_days"), (5, "working_days")),
    "pharmacovigilance": ((24, "hours"), (1, "working_days")),
    "regulatory_inspection": ((2, "working_days"), (24, "hours")),
    "credit_record": ((5, "working_days"), (3, "working_days")),
    "complaint": ((2, "working_days"),),
    "recall": ((24, "hours"),),
}

PRODUCTION_DATE_DEFINITIONS = (
    "以制剂配制（投料）日期为生产日期",
    "以灌装日期为生产日期",
    "以总混日期为生产日期",
    "以成品包装日期为生产日期",
)
