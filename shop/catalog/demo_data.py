"""The curated demo catalogue (docs/product.md: Demo catalogue) as plain Python data.

Sixteen community enterprises in thirteen provinces, including the three Lampang
villages of the Creative Industry Villages programme (Ban Mae Jaem in Chae Son,
Mueang Pan; Ban Chae Khon in Thung Phueng and Ban Paen Tai in Ban Sa, both Chae Hom),
coached by the provincial industry office with the Lampang cement company as their
"Big Brother", their products in Thai and
English, and the demo accounts. ``shop.catalog.demo`` turns this into rows and photos.

Prices are integer satang written as ``baht_satang`` (``180_00`` is ฿180.00). A product's
optional ``tint`` colours what its jar or bottle holds in the drawn photo. Variant
keys: ``gtin`` gives the variant a GTIN-13 barcode, ``tiers`` adds wholesale tiers
(``True`` for the usual 1–49 / 50–199 / 200+ ladder, or explicit ``(min_qty, satang)``
pairs), ``costs`` are unit costs (materials, packaging, labour, overhead) in satang.
Place names follow the Thai standard lists in ``geothai``; registration, tax and FDA
numbers are made up but have the right form.
"""

from __future__ import annotations

from typing import Any

DEMO_PASSWORD = "demo-password"  # noqa: S105 - published demo accounts, refused in production

CATEGORIES: list[dict[str, Any]] = [
    {"slug": "coffee-tea", "name_th": "กาแฟและชา", "name_en": "Coffee & tea", "is_food": True,
     "palette": "coffee",
     "description_th": "กาแฟคั่วจากดอยสูงและชาจากไร่ชุมชน คั่วและบรรจุโดยคนในหมู่บ้าน",
     "description_en": "Highland coffee and tea from community gardens, roasted and packed in the village."},
    {"slug": "rice-grains", "name_th": "ข้าวและธัญพืช", "name_en": "Rice & grains", "is_food": True,
     "palette": "rice",
     "description_th": "ข้าวพื้นเมืองปลอดสาร ข้าวกล้อง และธัญพืชจากแปลงนาของชุมชน",
     "description_en": "Pesticide-free heirloom rice, brown rice and grains from community paddies."},
    {"slug": "fruit-vegetables", "name_th": "ผักและผลไม้", "name_en": "Fruit & vegetables", "is_food": True,
     "palette": "produce",
     "description_th": "ผักผลไม้สดตามฤดูกาล เก็บเช้า ส่งตรงจากแปลง",
     "description_en": "Seasonal fruit and vegetables, picked in the morning and sent straight from the farm."},
    {"slug": "seasonings-sauces", "name_th": "เครื่องปรุงและซอส", "name_en": "Seasonings & sauces", "is_food": True,
     "palette": "seasoning",
     "description_th": "ผงมะนาว น้ำตาลโตนด น้ำตาลมะพร้าว กะปิ และเครื่องปรุงรสแบบบ้าน ๆ",
     "description_en": "Lime powder, palm and coconut sugar, shrimp paste and other home-style seasonings."},
    {"slug": "snacks-dried-fruit", "name_th": "ขนมและผลไม้แปรรูป", "name_en": "Snacks & dried fruit", "is_food": True,
     "palette": "snacks",
     "description_th": "ผลไม้อบแห้ง ขนมพื้นบ้าน และของฝากที่เก็บได้นาน",
     "description_en": "Dried fruit, traditional sweets and long-keeping gifts."},
    {"slug": "herbal-wellness", "name_th": "สมุนไพรและสุขภาพ", "name_en": "Herbal & wellness", "is_food": False,
     "palette": "herbal",
     "description_th": "ยาดม ลูกประคบ และผลิตภัณฑ์สมุนไพรตามภูมิปัญญาพื้นบ้าน",
     "description_en": "Herbal inhalers, compresses and remedies made from local know-how."},
    {"slug": "textiles-clothing", "name_th": "ผ้าและเครื่องแต่งกาย", "name_en": "Textiles & clothing",
     "is_food": False, "palette": "textile",
     "description_th": "ผ้าทอมือ ผ้าย้อมคราม ผ้าไหม และเสื้อผ้าจากช่างทอในหมู่บ้าน",
     "description_en": "Hand-woven cotton, indigo and silk, and clothes made by village weavers."},
    {"slug": "handicrafts-home", "name_th": "หัตถกรรมและของแต่งบ้าน", "name_en": "Handicrafts & home",
     "is_food": False, "palette": "handicraft",
     "description_th": "เครื่องจักสาน เซรามิก และของใช้ในบ้านที่ทำด้วยมือ",
     "description_en": "Basketry, ceramics and handmade things for the home."},
    {"slug": "beauty-soap", "name_th": "ความงามและสบู่", "name_en": "Beauty & soap", "is_food": False,
     "palette": "beauty",
     "description_th": "สบู่ โลชั่น และผลิตภัณฑ์ดูแลผิวจากวัตถุดิบธรรมชาติในชุมชน",
     "description_en": "Soap, lotion and skin care from natural ingredients grown in the community."},
]


def v(sku: str, name_th: str, name_en: str, price: int, stock: int, grams: int, **extra: Any) -> dict[str, Any]:
    """One variant; see the module docstring for the optional keys."""
    return {"sku": sku, "name_th": name_th, "name_en": name_en, "price": price, "stock": stock, "grams": grams,
            **extra}


ENTERPRISES: list[dict[str, Any]] = [
    # --- The three Lampang villages of docs/product.md -------------------------------
    {
        "slug": "ban-mae-jaem-coffee",
        "owner": ("maejaem@demo.test", "ลุงสมบัติ ใจดี (Sombat Jaidee)"),
        "registration_no": "5-52-13-04/1-0042",
        "name_th": "วิสาหกิจชุมชนกาแฟคั่วโอ่งบ้านแม่แจ๋ม",
        "name_en": "Ban Mae Jaem Jar-Roasted Coffee Community Enterprise",
        "tagline_th": "กาแฟอาราบิก้าใต้ร่มไม้ คั่วช้า ๆ ในโอ่งดินเผาตามแบบบรรพบุรุษ",
        "tagline_en": "Shade-grown arabica, slow-roasted in clay jars the way our grandparents did",
        "story_th": (
            "บ้านแม่แจ๋ม ตำบลแจ้ซ้อน อำเภอเมืองปาน จังหวัดลำปาง อยู่ในหุบเขาริมอุทยานแห่งชาติแจ้ซ้อน "
            "ชาวบ้านปลูกกาแฟอาราบิก้าใต้ร่มไม้ใหญ่ร่วมกับป่าชุมชน สมาชิก 38 ครัวเรือนเก็บเมล็ดสุกด้วยมือทีละผล "
            "แล้วคั่วในโอ่งดินเผาบนเตาฟืนทีละสามกิโลกรัม ว่ากันว่าเป็นที่เดียวในโลกที่คั่วกาแฟแบบนี้ "
            "ความร้อนที่ค่อย ๆ ส่งผ่านดินเผาทำให้กาแฟหอมกลิ่นดิน กลมกล่อม ไม่ขม "
            "กลุ่มเป็นหนึ่งในสามหมู่บ้านอุตสาหกรรมสร้างสรรค์ของลำปาง ที่สำนักงานอุตสาหกรรมจังหวัดกับบริษัทปูนซิเมนต์ในลำปาง "
            "ในฐานะพี่เลี้ยงช่วยสอนเรื่องบัญชี การตลาด การออกแบบ และการขายออนไลน์"
        ),
        "story_en": (
            "Ban Mae Jaem lies in a valley of Chae Son subdistrict, Mueang Pan district, Lampang, on the edge of "
            "Chae Son National Park, where families grow arabica under the forest canopy. The group's 38 households "
            "pick ripe cherries by hand, one at a time, and roast the beans three kilos at a time in clay jars over a "
            "wood fire, said to be the only place in the world that roasts coffee this way. The clay passes the heat "
            "on slowly, giving a round cup with an earthy aroma and no bitterness. The village is one of Lampang's "
            "three Creative Industry Villages, coached in finance, marketing, design and online selling by the "
            "provincial industry office with the Lampang cement company as its Big Brother."
        ),
        "village": "บ้านแม่แจ๋ม", "subdistrict": "แจ้ซ้อน", "district": "เมืองปาน", "province_code": "52",
        "latitude": 18.8146, "longitude": 99.4706,
        "contact_phone": "081-234-5601", "contact_email": "maejaem.coffee@demo.test", "line_id": "@maejaemcoffee",
        "promptpay_id": "0812345601", "vat_registered": False, "tax_id": None,
        "track_stage": "networking", "is_featured": True, "company_code": 1042, "palette": "coffee",
        "certifications": [("mpc", "มผช. 1012/2558", None), ("otop", None, 5), ("organic", "มกท. 2566-0142", None),
                           ("low_carbon", "T-VER-CP 0231", None)],
        "products": [
            {
                "slug": "mae-jaem-jar-roasted-coffee-medium",
                "category": "coffee-tea", "featured": True, "sales": 412,
                "name_th": "กาแฟคั่วโอ่ง บ้านแม่แจ๋ม คั่วกลาง",
                "name_en": "Ban Mae Jaem jar-roasted coffee, medium roast",
                "summary_th": "อาราบิก้า 100% คั่วในโอ่งดินเผา หอมหวาน ไม่ขม เหมาะกับดริปและม็อกคาพอต",
                "summary_en": "100% arabica roasted in clay jars: sweet, smooth, never bitter. Great for drip or moka pot.",
                "description_th": (
                    "เมล็ดกาแฟอาราบิก้าปลูกใต้ร่มไม้ที่ความสูง 1,200 เมตร ตากแห้งแบบเปียก แล้วคั่วระดับกลางในโอ่งดินเผา "
                    "บนเตาฟืนลำไย ได้กลิ่นถั่วคั่ว คาราเมล และผลไม้แห้ง บรรจุถุงมีวาล์วทันทีหลังคั่ว "
                    "เลือกได้ทั้งเมล็ดและบด"
                ),
                "description_en": (
                    "Shade-grown arabica from 1,200 m, washed and sun-dried, then medium-roasted in clay jars over "
                    "longan wood. Notes of roasted nuts, caramel and dried fruit. Packed in valve bags right after "
                    "roasting; whole bean or ground."
                ),
                "tags": ["กาแฟ", "coffee", "คั่วโอ่ง", "jar-roasted", "อาราบิก้า", "arabica", "แม่แจ๋ม", "ลำปาง"],
                "motif": "coffee_bag", "badge": "คั่วโอ่ง", "photo2": ("coffee_beans", "คั่วในโอ่งดินเผา ทีละ 3 กิโลกรัม", "Roasted in clay jars, 3 kg at a time"),
                "fda": "52-2-03459-2-0011",
                "variants": [
                    v("MJ-MED-250-WB", "250 กรัม · เมล็ด", "250 g · whole bean", 180_00, 120, 250, gtin=True,
                      tiers=True, moq=6, case_pack=6, lead=5, shelf=270, costs=(62_00, 12_00, 18_00, 8_00)),
                    v("MJ-MED-250-GR", "250 กรัม · บด", "250 g · ground", 180_00, 80, 250, gtin=True, tiers=True,
                      moq=6, case_pack=6, lead=5, shelf=180, costs=(62_00, 12_00, 20_00, 8_00)),
                    v("MJ-MED-1KG-WB", "1 กิโลกรัม · เมล็ด", "1 kg · whole bean", 650_00, 40, 1000, gtin=True,
                      tiers=[(1, 650_00), (20, 590_00), (100, 540_00)], moq=2, case_pack=2, lead=7, shelf=270,
                      costs=(248_00, 18_00, 60_00, 25_00)),
                ],
            },
            {
                "slug": "mae-jaem-jar-roasted-coffee-dark",
                "category": "coffee-tea", "sales": 268,
                "name_th": "กาแฟคั่วโอ่ง บ้านแม่แจ๋ม คั่วเข้ม",
                "name_en": "Ban Mae Jaem jar-roasted coffee, dark roast",
                "summary_th": "คั่วเข้มเข้มข้น หอมควันไม้ เหมาะกับเอสเพรสโซและกาแฟเย็น",
                "summary_en": "Bold dark roast with a wood-smoke aroma, made for espresso and iced coffee.",
                "description_th": (
                    "เมล็ดชุดเดียวกับคั่วกลาง แต่คั่วในโอ่งนานขึ้นจนน้ำมันเริ่มขึ้นผิว รสเข้ม บอดี้หนัก "
                    "มีกลิ่นช็อกโกแลตเข้มและควันไม้ ชงเอสเพรสโซหรือกาแฟเย็นใส่นมได้อร่อย"
                ),
                "description_en": (
                    "The same beans as our medium roast, kept in the jar longer until the oils rise. Heavy body, "
                    "dark chocolate and wood smoke; excellent as espresso or iced with milk."
                ),
                "tags": ["กาแฟ", "coffee", "คั่วเข้ม", "dark roast", "เอสเพรสโซ", "espresso"],
                "motif": "coffee_bag", "badge": "DARK", "fda": "52-2-03459-2-0012",
                "variants": [
                    v("MJ-DRK-250-WB", "250 กรัม · เมล็ด", "250 g · whole bean", 180_00, 90, 250, gtin=True,
                      tiers=True, moq=6, case_pack=6, lead=5, shelf=270, costs=(62_00, 12_00, 19_00, 8_00)),
                    v("MJ-DRK-500-WB", "500 กรัม · เมล็ด", "500 g · whole bean", 340_00, 45, 500, gtin=True,
                      tiers=True, moq=4, case_pack=4, lead=5, shelf=270),
                ],
            },
            {
                "slug": "mae-jaem-drip-bag-coffee",
                "category": "coffee-tea", "sales": 530,
                "name_th": "กาแฟดริปแบบซอง คั่วโอ่ง (10 ซอง)",
                "name_en": "Jar-roasted drip-bag coffee (box of 10)",
                "summary_th": "ซองดริปพร้อมชง 12 กรัม แค่ฉีกซอง เกี่ยวแก้ว เทน้ำร้อน",
                "summary_en": "Ready-to-brew 12 g drip bags: tear, hang on your cup, pour hot water.",
                "description_th": (
                    "กาแฟคั่วกลางบดสดบรรจุซองดริปทีละ 12 กรัม ปิดผนึกด้วยไนโตรเจนเพื่อคงความหอม "
                    "พกพาง่าย เหมาะเป็นของฝากและใช้ในห้องพักโรงแรม"
                ),
                "description_en": (
                    "Freshly ground medium roast in 12 g drip bags, nitrogen-flushed to keep the aroma. Easy to "
                    "carry, a favourite gift and a good fit for hotel rooms."
                ),
                "tags": ["กาแฟดริป", "drip coffee", "กาแฟ", "coffee", "ของฝาก", "gift"],
                "motif": "coffee_bag", "badge": "DRIP", "fda": "52-2-03459-2-0013",
                "variants": [
                    v("MJ-DRIP-10", "กล่อง 10 ซอง", "box of 10", 150_00, 200, 160, gtin=True,
                      tiers=[(1, 150_00), (50, 128_00), (200, 115_00)], moq=10, case_pack=10, lead=7, shelf=365,
                      costs=(45_00, 22_00, 15_00, 6_00)),
                ],
            },
            {
                "slug": "mae-jaem-green-coffee-beans",
                "category": "coffee-tea", "sales": 37,
                "name_th": "สารกาแฟอาราบิก้า แม่แจ๋ม (ยังไม่คั่ว)",
                "name_en": "Mae Jaem green arabica beans (unroasted)",
                "summary_th": "สารกาแฟคัดมือ เกรด A สำหรับร้านกาแฟและนักคั่วบ้าน",
                "summary_en": "Hand-sorted grade A green beans for cafés and home roasters.",
                "description_th": (
                    "สารกาแฟโปรเซสแบบเปียก ความชื้นไม่เกิน 11% คัดเมล็ดแตกและเมล็ดดำออกด้วยมือ "
                    "ขายเป็นกิโลกรัม และรับสั่งเป็นกระสอบสำหรับร้านกาแฟ"
                ),
                "description_en": (
                    "Washed-process green coffee at no more than 11% moisture, with broken and black beans "
                    "picked out by hand. Sold by the kilo, or by the sack for cafés."
                ),
                "tags": ["สารกาแฟ", "green coffee", "กาแฟ", "coffee", "อาราบิก้า", "arabica"],
                "motif": "coffee_beans", "badge": "GREEN",
                "variants": [
                    v("MJ-GREEN-1KG", "1 กิโลกรัม", "1 kg", 320_00, 300, 1000,
                      tiers=[(1, 320_00), (30, 290_00), (60, 270_00)], moq=1, lead=10),
                ],
            },
            {
                "slug": "mae-jaem-cascara-tea",
                "category": "coffee-tea", "sales": 88,
                "name_th": "ชาเปลือกกาแฟ (คาสคาร่า)",
                "name_en": "Coffee-cherry tea (cascara)",
                "summary_th": "เปลือกผลกาแฟตากแห้ง ชงแล้วหอมหวานแบบผลไม้ คาเฟอีนต่ำ",
                "summary_en": "Dried coffee-cherry husks that brew a sweet, fruity, low-caffeine tea.",
                "description_th": (
                    "เปลือกผลกาแฟสุกที่ได้จากการสีกาแฟ นำมาตากบนแคร่ไม้ไผ่จนแห้ง ชงร้อนหรือชงเย็นได้ "
                    "รสหวานคล้ายลูกเกดและชาชบา ช่วยใช้ประโยชน์จากผลกาแฟได้ครบทุกส่วน"
                ),
                "description_en": (
                    "The husks of ripe coffee cherries, dried on bamboo racks after pulping. Brew hot or cold for "
                    "a sweet cup of raisin and hibiscus. Nothing of the cherry goes to waste."
                ),
                "tags": ["ชา", "tea", "คาสคาร่า", "cascara", "กาแฟ", "coffee"],
                "motif": "tea", "badge": "CASCARA", "tint": (150, 56, 50), "fda": "52-2-03459-2-0014",
                "variants": [
                    v("MJ-CASCARA-100", "100 กรัม", "100 g", 120_00, 60, 100, gtin=True),
                ],
            },
        ],
        "hidden_products": [
            {
                "slug": "mae-jaem-honey-process-coffee", "status": "draft", "category": "coffee-tea",
                "name_th": "กาแฟโปรเซสฮันนี่ (กำลังทดลอง)", "name_en": "Honey-process coffee (trial batch)",
                "summary_th": "ล็อตทดลอง ยังไม่เปิดขาย", "summary_en": "A trial lot, not yet on sale.",
                "description_th": "ล็อตทดลองโปรเซสฮันนี่ กำลังชิมและปรับโปรไฟล์การคั่ว",
                "description_en": "A trial honey-process lot; we are still cupping and adjusting the roast.",
                "tags": ["กาแฟ", "coffee"], "motif": "coffee_bag", "badge": "HONEY",
                "variants": [v("MJ-HONEY-250", "250 กรัม", "250 g", 220_00, 0, 250)],
            },
        ],
    },
    {
        "slug": "ban-chae-khon-organic",
        "owner": ("chaekhon@demo.test", "ป้าบัวเรียน คำปัน (Buarian Khampan)"),
        "registration_no": "5-52-06-06/1-0017",
        "name_th": "วิสาหกิจชุมชนเกษตรอินทรีย์บ้านแจ้คอน",
        "name_en": "Ban Chae Khon Organic Farming Community Enterprise",
        "tagline_th": "ข้าวกล้องและผักปลอดสาร จากนาขั้นบันไดเชิงดอย",
        "tagline_en": "Pesticide-free brown rice and vegetables from terraced foothill paddies",
        "story_th": (
            "บ้านแจ้คอนเป็นหมู่บ้านเล็ก ๆ ในตำบลทุ่งผึ้ง อำเภอแจ้ห่ม จังหวัดลำปาง ที่ได้น้ำจากลำห้วยซึ่งไหลลงมาจากดอยรอบหุบเขาแจ้ห่ม "
            "เมื่อสิบปีก่อนสมาชิกกลุ่มตัดสินใจเลิกใช้สารเคมีทั้งหมด หันมาทำปุ๋ยหมักจากฟางและมูลวัว "
            "และเก็บเมล็ดพันธุ์ข้าวไว้ปลูกเอง ข้าวกล้องสีใหม่ทุกสัปดาห์แล้วบรรจุถุงสุญญากาศทันที "
            "ผักที่ปลูกหมุนเวียนในแปลงหลังนาส่งให้โรงพยาบาลและโรงเรียนในอำเภอทุกเช้า"
        ),
        "story_en": (
            "Ban Chae Khon is a small village in Thung Phueng subdistrict, Chae Hom district, Lampang, watered by a "
            "stream that runs down from the hills around the Chae Hom valley. Ten years ago its members gave up farm chemicals altogether, "
            "making compost from rice straw and cow manure and keeping their own seed rice. Brown rice is milled "
            "fresh every week and vacuum-packed at once. Vegetables grown in rotation after the rice harvest go "
            "to the district's hospital and schools every morning."
        ),
        "village": "บ้านแจ้คอน", "subdistrict": "ทุ่งผึ้ง", "district": "แจ้ห่ม", "province_code": "52",
        "latitude": 18.7632, "longitude": 99.6264,
        "contact_phone": "089-456-7702", "contact_email": "chaekhon.organic@demo.test", "line_id": "@chaekhon",
        "promptpay_id": "0894567702", "vat_registered": False, "tax_id": None,
        "track_stage": "networking", "is_featured": True, "company_code": 1017, "palette": "rice",
        "certifications": [("organic", "Organic Thailand 52-0178", None), ("gap", "GAP 03-9001-52-013-000412", None),
                           ("mpc", "มผช. 1/2565", None), ("otop", None, 4)],
        "products": [
            {
                "slug": "chae-khon-hom-mali-brown-rice",
                "category": "rice-grains", "featured": True, "sales": 356,
                "name_th": "ข้าวกล้องหอมมะลิปลอดสาร แพ็กสุญญากาศ",
                "name_en": "Pesticide-free Hom Mali brown rice, vacuum-packed",
                "summary_th": "ข้าวกล้องหอมมะลิสีใหม่ทุกสัปดาห์ บรรจุสุญญากาศ เก็บได้นาน ไม่มีมอด",
                "summary_en": "Hom Mali brown rice milled fresh every week and vacuum-packed: keeps long, no weevils.",
                "description_th": (
                    "ข้าวหอมมะลิ 105 ปลูกแบบไม่ใช้สารเคมีในนาขั้นบันไดบ้านแจ้คอน สีเป็นข้าวกล้องเก็บจมูกข้าวไว้ครบ "
                    "อัดสุญญากาศเป็นก้อนแน่น หุงง่าย นุ่ม หอม เหมาะกับผู้ที่ดูแลสุขภาพ"
                ),
                "description_en": (
                    "Hom Mali 105 grown without chemicals on Ban Chae Khon's terraces and milled as brown rice "
                    "with the germ intact. Vacuum-packed into firm bricks; cooks soft and fragrant."
                ),
                "tags": ["ข้าวกล้อง", "brown rice", "ข้าวหอมมะลิ", "jasmine rice", "ปลอดสาร", "pesticide-free",
                         "สุญญากาศ", "vacuum-packed"],
                "motif": "rice_bag", "badge": "ข้าวกล้อง", "photo2": ("grain", "สีใหม่ทุกสัปดาห์ บรรจุสุญญากาศ", "Milled fresh every week and vacuum-packed"),
                "fda": "52-1-07721-2-0031",
                "variants": [
                    v("CK-HM-BR-1KG", "1 กิโลกรัม", "1 kg", 85_00, 300, 1000, gtin=True, tiers=True, moq=10,
                      case_pack=10, lead=5, shelf=365, costs=(38_00, 6_00, 8_00, 4_00)),
                    v("CK-HM-BR-5KG", "5 กิโลกรัม", "5 kg", 399_00, 60, 5000, gtin=True,
                      tiers=[(1, 399_00), (20, 360_00), (80, 330_00)], moq=2, case_pack=2, lead=5, shelf=365),
                ],
            },
            {
                "slug": "chae-khon-riceberry",
                "category": "rice-grains", "sales": 241,
                "name_th": "ข้าวไรซ์เบอร์รี่ปลอดสาร แพ็กสุญญากาศ",
                "name_en": "Pesticide-free Riceberry rice, vacuum-packed",
                "summary_th": "ข้าวสีม่วงเข้ม นุ่ม หอม อุดมด้วยสารต้านอนุมูลอิสระ",
                "summary_en": "Deep purple, soft and fragrant rice, rich in antioxidants.",
                "description_th": (
                    "ไรซ์เบอร์รี่ปลูกในแปลงอินทรีย์ของกลุ่ม สีแบบข้าวกล้อง อัดสุญญากาศถุงละหนึ่งกิโลกรัม "
                    "หุงผสมกับข้าวขาวหรือหุงล้วนก็อร่อย"
                ),
                "description_en": (
                    "Riceberry from the group's organic plots, milled as whole grain and vacuum-packed by the kilo. "
                    "Cook it alone or mixed with white rice."
                ),
                "tags": ["ข้าวไรซ์เบอร์รี่", "riceberry", "ข้าวกล้อง", "brown rice", "ปลอดสาร", "pesticide-free"],
                "motif": "rice_bag", "badge": "RICEBERRY", "fda": "52-1-07721-2-0032",
                "variants": [
                    v("CK-RB-1KG", "1 กิโลกรัม", "1 kg", 95_00, 240, 1000, gtin=True, tiers=True, moq=10,
                      case_pack=10, lead=5, shelf=365),
                ],
            },
            {
                "slug": "chae-khon-germinated-brown-rice",
                "category": "rice-grains", "sales": 96,
                "name_th": "ข้าวกล้องงอก (GABA) บ้านแจ้คอน",
                "name_en": "Ban Chae Khon germinated brown rice (GABA)",
                "summary_th": "ข้าวกล้องเพาะงอกแล้วอบแห้ง หุงง่าย นุ่มกว่าข้าวกล้องทั่วไป",
                "summary_en": "Brown rice sprouted and dried: softer and quicker to cook than plain brown rice.",
                "description_th": (
                    "นำข้าวกล้องหอมมะลิมาแช่น้ำให้งอกพอดี แล้วอบแห้งด้วยตู้พลังงานแสงอาทิตย์ของกลุ่ม "
                    "ได้ข้าวที่นุ่ม หอม และมีสาร GABA สูงขึ้นตามธรรมชาติ"
                ),
                "description_en": (
                    "Hom Mali brown rice soaked until it just sprouts, then dried in the group's solar dryer. "
                    "Soft and fragrant, with naturally higher GABA."
                ),
                "tags": ["ข้าวกล้องงอก", "germinated rice", "ข้าวกล้อง", "brown rice", "gaba"],
                "motif": "rice_bag", "badge": "GABA", "fda": "52-1-07721-2-0033",
                "variants": [v("CK-GABA-1KG", "1 กิโลกรัม", "1 kg", 120_00, 80, 1000, gtin=True, shelf=240)],
            },
            {
                "slug": "chae-khon-salad-greens-box",
                "category": "fruit-vegetables", "sales": 154,
                "name_th": "ผักสลัดปลอดสาร กล่อง 500 กรัม",
                "name_en": "Pesticide-free salad greens, 500 g box",
                "summary_th": "กรีนโอ๊ค เรดโอ๊ค คอส และผักพื้นบ้าน เก็บเช้า ส่งภายในวัน",
                "summary_en": "Green oak, red oak, cos and local greens, picked in the morning and sent the same day.",
                "description_th": (
                    "ผักสลัดรวมจากแปลงหลังนา ล้างสะอาดด้วยน้ำประปาภูเขาแล้วบรรจุกล่องกระดาษ "
                    "ส่งในจังหวัดลำปางและเชียงใหม่ภายในวันเดียว ควรเก็บในตู้เย็นและรับประทานภายในห้าวัน"
                ),
                "description_en": (
                    "Mixed salad greens from the plots beside the paddies, rinsed in mountain water and packed in "
                    "paper boxes. Same-day delivery in Lampang and Chiang Mai; refrigerate and eat within five days."
                ),
                "tags": ["ผักสลัด", "salad", "ผัก", "vegetables", "ปลอดสาร", "pesticide-free"],
                "motif": "vegetables", "badge": "",
                "variants": [v("CK-SALAD-500", "กล่อง 500 กรัม", "500 g box", 79_00, 40, 500, shelf=5)],
            },
            {
                "slug": "chae-khon-local-vegetable-set",
                "category": "fruit-vegetables", "sales": 71,
                "name_th": "ชุดผักพื้นบ้านตามฤดูกาล",
                "name_en": "Seasonal local vegetable set",
                "summary_th": "ผักเชียงดา ผักหวาน ฟักทอง และพริกกะเหรี่ยง แล้วแต่ฤดูกาล",
                "summary_en": "Chiang Da greens, sweet leaf, pumpkin and hill-tribe chillies, as the season allows.",
                "description_th": (
                    "ชุดผักพื้นบ้านราวหนึ่งกิโลกรัม คละตามที่แปลงให้ผลในสัปดาห์นั้น พร้อมบัตรสูตรอาหารเหนือ "
                    "เช่น แกงผักเชียงดาใส่ไข่มดแดง"
                ),
                "description_en": (
                    "About a kilo of local vegetables, whatever the plots give that week, with a recipe card for a "
                    "northern dish such as Chiang Da curry with red-ant eggs."
                ),
                "tags": ["ผักพื้นบ้าน", "local vegetables", "ผัก", "vegetables", "ผักเชียงดา"],
                "motif": "vegetables", "badge": "",
                "variants": [v("CK-VEG-SET", "ชุด 1 กิโลกรัม", "1 kg set", 99_00, 25, 1000, shelf=5)],
            },
        ],
    },
    {
        "slug": "ban-paen-tai-lime",
        "owner": ("paentai@demo.test", "คุณศรีนวล อินทร์แก้ว (Srinuan Inkaew)"),
        "registration_no": "5-52-06-02/1-0026",
        "name_th": "วิสาหกิจชุมชนมะนาวบ้านแป้นใต้",
        "name_en": "Ban Paen Tai Lime Community Enterprise",
        "tagline_th": "มะนาวแป้นจากสวนแจ้ห่ม แปรรูปเป็นผงและน้ำมะนาวแท้ ไม่ผสมน้ำตาล",
        "tagline_en": "Chae Hom limes turned into pure lime powder and juice, with no added sugar",
        "story_th": (
            "บ้านแป้นใต้อยู่ในตำบลบ้านสา อำเภอแจ้ห่ม จังหวัดลำปาง "
            "หลายครอบครัวมีสวนมะนาวแป้นที่ลูกดก แต่เมื่อมะนาวล้นตลาดในหน้าฝนราคาก็ตกจนไม่คุ้มเก็บ "
            "กลุ่มแม่บ้านจึงรวมตัวกันคั้นน้ำมะนาวบรรจุขวดและทำผงมะนาวด้วยเครื่องอบแห้งแบบพ่นฝอย "
            "ที่ได้รับการสนับสนุนจากบริษัทพี่เลี้ยง ตอนนี้ขายมะนาวได้ทั้งปี และส่งให้ร้านอาหารในเมืองลำปางเป็นประจำ"
        ),
        "story_en": (
            "Ban Paen Tai lies in Ban Sa subdistrict, Chae Hom district, Lampang. Many families keep orchards of the prolific Paen lime, but in the rainy season the market "
            "floods and prices fall below the cost of picking. The village women's group began bottling fresh "
            "juice and making lime powder with a spray dryer provided with help from their partner company. "
            "They now sell limes all year round and supply restaurants in Lampang town every week."
        ),
        "village": "บ้านแป้นใต้", "subdistrict": "บ้านสา", "district": "แจ้ห่ม", "province_code": "52",
        "latitude": 18.6640, "longitude": 99.5668,
        "contact_phone": "053-510-226", "contact_email": "paentai.lime@demo.test", "line_id": "@paentailime",
        "promptpay_id": "0865107726", "vat_registered": False, "tax_id": None,
        "track_stage": "advancing", "is_featured": True, "company_code": 1026, "palette": "seasoning",
        "certifications": [("mpc", "มผช. 386/2557", None), ("gap", "GAP 03-9001-52-006-000233", None)],
        "products": [
            {
                "slug": "paen-tai-pure-lime-powder",
                "category": "seasonings-sauces", "featured": True, "sales": 318,
                "name_th": "ผงมะนาวแท้ 100% บ้านแป้นใต้",
                "name_en": "Ban Paen Tai 100% pure lime powder",
                "summary_th": "ผงมะนาวจากน้ำมะนาวแป้นสด ไม่ผสมน้ำตาลหรือสารกันเสีย ใช้แทนมะนาวสดได้ทันที",
                "summary_en": "Powder from fresh Paen lime juice, no sugar or preservatives: use it in place of fresh lime.",
                "description_th": (
                    "น้ำมะนาวแป้นคั้นสดนำมาอบแห้งแบบพ่นฝอยที่อุณหภูมิต่ำเพื่อคงกลิ่นและความเปรี้ยว "
                    "ผงมะนาว 1 ช้อนชาเท่ากับน้ำมะนาวประมาณ 1 ลูก เหมาะกับต้มยำ น้ำจิ้มซีฟู้ด และเครื่องดื่ม"
                ),
                "description_en": (
                    "Fresh Paen lime juice spray-dried at low temperature to keep its aroma and sourness. One "
                    "teaspoon equals the juice of about one lime: perfect for tom yum, seafood dips and drinks."
                ),
                "tags": ["มะนาว", "lime", "ผงมะนาว", "lime powder", "เครื่องปรุง", "seasoning"],
                "motif": "lime", "badge": "LIME", "photo2": ("jar", "ผงมะนาวแท้ ไม่ผสมน้ำตาล", "Pure lime powder with no added sugar"),
                "fda": "52-1-04478-2-0007",
                "variants": [
                    v("PT-POWDER-100", "กระปุก 100 กรัม", "100 g jar", 150_00, 150, 130, gtin=True, tiers=True,
                      moq=12, case_pack=12, lead=7, shelf=540, costs=(52_00, 14_00, 12_00, 6_00)),
                    v("PT-POWDER-500", "ถุง 500 กรัม", "500 g bag", 590_00, 40, 520, gtin=True,
                      tiers=[(1, 590_00), (20, 530_00), (60, 490_00)], moq=2, case_pack=2, lead=7, shelf=540),
                ],
            },
            {
                "slug": "paen-tai-bottled-lime-juice",
                "category": "seasonings-sauces", "featured": True, "sales": 287,
                "name_th": "น้ำมะนาวแท้บรรจุขวด บ้านแป้นใต้",
                "name_en": "Ban Paen Tai bottled pure lime juice",
                "summary_th": "น้ำมะนาวแป้นคั้นสด พาสเจอร์ไรส์ ไม่เติมน้ำ ไม่เติมน้ำตาล",
                "summary_en": "Freshly squeezed Paen lime juice, pasteurised, no water or sugar added.",
                "description_th": (
                    "คั้นจากมะนาวแป้นที่เก็บในวันเดียวกัน กรองกากแล้วพาสเจอร์ไรส์และบรรจุขวดแก้ว "
                    "เปิดแล้วเก็บในตู้เย็นได้นานสองสัปดาห์ ร้านอาหารใช้แทนการคั้นสดได้สะดวก"
                ),
                "description_en": (
                    "Squeezed from limes picked the same day, strained, pasteurised and bottled in glass. Keeps two "
                    "weeks in the fridge once opened; restaurants use it in place of squeezing by hand."
                ),
                "tags": ["มะนาว", "lime", "น้ำมะนาว", "lime juice", "เครื่องปรุง", "seasoning"],
                "motif": "bottle", "badge": "มะนาว", "photo2": ("lime", "คั้นสดจากสวนบ้านแป้นใต้", "Squeezed fresh from Ban Paen Tai orchards"),
                "fda": "52-1-04478-2-0008",
                "variants": [
                    v("PT-JUICE-250", "ขวด 250 มล.", "250 ml bottle", 65_00, 200, 420, gtin=True, tiers=True,
                      moq=24, case_pack=24, lead=5, shelf=180, costs=(24_00, 9_00, 6_00, 3_00)),
                    v("PT-JUICE-1L", "ขวด 1 ลิตร", "1 litre bottle", 189_00, 80, 1450, gtin=True,
                      tiers=[(1, 189_00), (12, 172_00), (60, 158_00)], moq=6, case_pack=6, lead=5, shelf=180),
                ],
            },
            {
                "slug": "paen-tai-fresh-limes",
                "category": "fruit-vegetables", "sales": 203,
                "name_th": "มะนาวแป้นสด แจ้ห่ม",
                "name_en": "Fresh Paen limes from Chae Hom",
                "summary_th": "มะนาวแป้นลูกโต เปลือกบาง น้ำเยอะ เก็บจากต้นวันต่อวัน",
                "summary_en": "Large, thin-skinned, juicy Paen limes picked to order.",
                "description_th": (
                    "มะนาวแป้นพันธุ์ดีจากสวนสมาชิก คัดลูกขนาดกลางถึงใหญ่ ราคาตามฤดูกาล "
                    "ส่งแบบกล่องระบายอากาศเพื่อไม่ให้มะนาวช้ำ"
                ),
                "description_en": (
                    "Paen limes from members' orchards, medium to large fruit, priced by season and shipped in "
                    "ventilated boxes so they arrive unbruised."
                ),
                "tags": ["มะนาว", "lime", "มะนาวสด", "fresh lime", "ผลไม้", "fruit"],
                "motif": "lime", "badge": "",
                "variants": [
                    v("PT-FRESH-1KG", "1 กิโลกรัม", "1 kg", 60_00, 150, 1000, shelf=21),
                    v("PT-FRESH-5KG", "5 กิโลกรัม", "5 kg", 270_00, 30, 5000, shelf=21,
                      tiers=[(1, 270_00), (10, 240_00)]),
                ],
            },
            {
                "slug": "paen-tai-honey-pickled-lime",
                "category": "snacks-dried-fruit", "sales": 64,
                "name_th": "มะนาวดองน้ำผึ้ง",
                "name_en": "Honey-pickled limes",
                "summary_th": "มะนาวดองเกลือสามเดือนแล้วแช่น้ำผึ้งดอกลำไย ชงน้ำร้อนแก้เจ็บคอ",
                "summary_en": "Limes salt-cured for three months, then steeped in longan honey. Stir into hot water for a sore throat.",
                "description_th": (
                    "สูตรของแม่อุ๊ยในหมู่บ้าน ดองมะนาวทั้งลูกในโอ่งด้วยเกลือสมุทร แล้วแช่ในน้ำผึ้งดอกลำไยจากลำปาง "
                    "ตักหนึ่งลูกพร้อมน้ำผึ้งชงกับน้ำอุ่น ชุ่มคอ"
                ),
                "description_en": (
                    "A village grandmother's recipe: whole limes cured in sea salt in clay jars, then steeped in "
                    "Lampang longan honey. Spoon one lime with honey into warm water."
                ),
                "tags": ["มะนาวดอง", "pickled lime", "มะนาว", "lime", "น้ำผึ้ง", "honey"],
                "motif": "jar", "badge": "มะนาวดอง", "tint": (214, 176, 70), "fda": "52-1-04478-2-0009",
                "variants": [v("PT-PICKLE-300", "ขวด 300 กรัม", "300 g jar", 89_00, 70, 480, shelf=365)],
            },
            {
                "slug": "paen-tai-lime-salt-dip",
                "category": "seasonings-sauces", "sales": 45,
                "name_th": "เกลือมะนาวพริกเกลือ จิ้มผลไม้",
                "name_en": "Lime-chilli salt for fruit",
                "summary_th": "พริกเกลือผสมผงมะนาวแท้ เปรี้ยว เค็ม เผ็ดกำลังดี",
                "summary_en": "Chilli salt blended with pure lime powder: sour, salty and gently hot.",
                "description_th": (
                    "ผสมเกลือทะเล พริกป่น น้ำตาลอ้อย และผงมะนาวแท้ของกลุ่ม จิ้มมะม่วง ฝรั่ง หรือโรยสลัดผลไม้"
                ),
                "description_en": (
                    "Sea salt, ground chilli, cane sugar and our pure lime powder. Dip mango or guava, or "
                    "sprinkle over fruit salad."
                ),
                "tags": ["พริกเกลือ", "chilli salt", "มะนาว", "lime", "เครื่องปรุง", "seasoning"],
                "motif": "jar", "badge": "พริกเกลือ", "tint": (206, 96, 62), "fda": "52-1-04478-2-0010",
                "variants": [v("PT-SALT-80", "ขวด 80 กรัม", "80 g jar", 45_00, 120, 110, shelf=365)],
            },
        ],
        "hidden_products": [
            {
                "slug": "paen-tai-lime-cordial", "status": "paused", "category": "seasonings-sauces",
                "name_th": "น้ำมะนาวเข้มข้นผสมน้ำผึ้ง (หยุดขายชั่วคราว)",
                "name_en": "Lime and honey cordial (paused)",
                "summary_th": "หมดฤดูมะนาว หยุดขายชั่วคราว", "summary_en": "Out of lime season; paused for now.",
                "description_th": "น้ำมะนาวเข้มข้นผสมน้ำผึ้ง จะกลับมาขายเมื่อมะนาวออกผลอีกครั้ง",
                "description_en": "Lime and honey cordial, back when the limes are in season again.",
                "tags": ["มะนาว", "lime"], "motif": "bottle", "badge": "CORDIAL",
                "variants": [v("PT-CORDIAL-500", "ขวด 500 มล.", "500 ml bottle", 120_00, 0, 800)],
            },
        ],
    },
    # --- Other members across the country -------------------------------------------
    {
        "slug": "don-koi-indigo",
        "owner": ("donkoi@demo.test", "คุณประภา ศรีสุข (Prapa Srisuk)"),
        "registration_no": "5-47-04-01/1-0009",
        "name_th": "วิสาหกิจชุมชนผ้าย้อมครามบ้านดอนกอย",
        "name_en": "Ban Don Koi Indigo Weavers Community Enterprise",
        "tagline_th": "ผ้าฝ้ายทอมือ ย้อมครามธรรมชาติ หมักหม้อครามตามภูมิปัญญาสกลนคร",
        "tagline_en": "Hand-woven cotton dyed with natural indigo, fermented the Sakon Nakhon way",
        "story_th": (
            "บ้านดอนกอยเป็นหมู่บ้านช่างทอในอำเภอพรรณานิคมที่เลี้ยงหม้อครามกันแทบทุกบ้าน "
            "แม่ ๆ ปลูกต้นครามเอง หมักใบครามกับน้ำขี้เถ้าจนได้น้ำครามที่ต้อง ‘ป้อนอาหาร’ ทุกวันเหมือนสิ่งมีชีวิต "
            "ผ้าแต่ละผืนย้อมซ้ำหลายสิบรอบจนได้สีน้ำเงินลึกที่ไม่ตก ลวดลายมัดหมี่สืบทอดจากยายสู่หลาน "
            "วันนี้ลูกหลานช่วยออกแบบเสื้อผ้ารุ่นใหม่และดูแลร้านออนไลน์ของกลุ่ม"
        ),
        "story_en": (
            "Ban Don Koi is a weaving village in Phanna Nikhom where nearly every house keeps an indigo vat. The "
            "women grow their own indigo and ferment the leaves with ash water into a dye that must be 'fed' every "
            "day like a living thing. Each cloth is dipped dozens of times for a deep blue that does not run, in "
            "mudmee patterns handed down from grandmother to granddaughter. Today the younger generation designs "
            "new clothes and runs the group's online shop."
        ),
        "village": "บ้านดอนกอย", "subdistrict": "พรรณา", "district": "พรรณานิคม", "province_code": "47",
        "latitude": 17.3512, "longitude": 103.8478,
        "contact_phone": "042-779-009", "contact_email": "donkoi.indigo@demo.test", "line_id": "@donkoiindigo",
        "promptpay_id": "0817790009", "vat_registered": False, "tax_id": None,
        "track_stage": "expansion", "is_featured": True, "company_code": 1009, "palette": "textile",
        "certifications": [("otop", None, 5), ("mpc", "มผช. 18/2565", None), ("low_carbon", "T-VER-CP 0118", None)],
        "products": [
            {
                "slug": "don-koi-indigo-scarf",
                "category": "textiles-clothing", "featured": True, "sales": 174,
                "name_th": "ผ้าพันคอฝ้ายย้อมคราม ลายมัดหมี่",
                "name_en": "Indigo-dyed cotton mudmee scarf",
                "summary_th": "ผ้าฝ้ายทอมือเนื้อนุ่ม ย้อมครามธรรมชาติ ลายมัดหมี่ดั้งเดิม",
                "summary_en": "Soft hand-woven cotton in natural indigo with a traditional mudmee pattern.",
                "description_th": (
                    "ทอด้วยกี่พื้นเมืองจากฝ้ายเข็นมือ มัดหมี่ลายดอกแก้วแล้วย้อมครามซ้ำกว่า 20 รอบ "
                    "ขนาด 50 × 180 ซม. ซักมือด้วยน้ำเย็น ผึ่งในที่ร่ม สีจะสวยขึ้นตามการใช้งาน"
                ),
                "description_en": (
                    "Woven on a village loom from hand-spun cotton, tied in the dok kaeo mudmee pattern and dipped "
                    "in indigo more than 20 times. 50 × 180 cm. Hand-wash cold, dry in the shade; the blue grows "
                    "richer with use."
                ),
                "tags": ["ผ้าคราม", "indigo", "ผ้าพันคอ", "scarf", "ผ้าฝ้าย", "cotton", "มัดหมี่", "mudmee"],
                "motif": "cloth", "badge": "", "photo2": ("village", "หม้อครามของบ้านดอนกอย", "The indigo vats of Ban Don Koi"),
                "variants": [
                    v("DK-SCARF-STD", "50 × 180 ซม.", "50 × 180 cm", 590_00, 35, 180, gtin=True,
                      tiers=[(1, 590_00), (20, 520_00), (100, 470_00)], moq=5, case_pack=5, lead=21, shelf=1825,
                      costs=(180_00, 15_00, 160_00, 30_00)),
                ],
            },
            {
                "slug": "don-koi-indigo-shirt",
                "category": "textiles-clothing", "sales": 92,
                "name_th": "เสื้อเชิ้ตผ้าฝ้ายย้อมคราม",
                "name_en": "Indigo cotton shirt",
                "summary_th": "เสื้อเชิ้ตคอจีน ผ้าฝ้ายทอมือย้อมคราม ใส่สบาย ระบายอากาศดี",
                "summary_en": "Mandarin-collar shirt in hand-woven indigo cotton: cool and comfortable.",
                "description_th": (
                    "ตัดเย็บโดยช่างในหมู่บ้านจากผ้าฝ้ายย้อมครามเนื้อกลาง กระดุมกะลามะพร้าว "
                    "มีไซซ์ M, L และ XL ดูตารางขนาดในรูปที่สอง"
                ),
                "description_en": (
                    "Sewn in the village from medium-weight indigo cotton with coconut-shell buttons. Sizes M, L "
                    "and XL."
                ),
                "tags": ["เสื้อ", "shirt", "ผ้าคราม", "indigo", "ผ้าฝ้าย", "cotton"],
                "motif": "cloth", "badge": "", "tint": (44, 70, 140),
                "variants": [
                    v("DK-SHIRT-M", "ไซซ์ M", "size M", 1290_00, 8, 260),
                    v("DK-SHIRT-L", "ไซซ์ L", "size L", 1290_00, 10, 270),
                    v("DK-SHIRT-XL", "ไซซ์ XL", "size XL", 1350_00, 5, 285),
                ],
            },
            {
                "slug": "don-koi-mudmee-sarong",
                "category": "textiles-clothing", "sales": 31,
                "name_th": "ผ้าซิ่นมัดหมี่ย้อมคราม",
                "name_en": "Indigo mudmee sarong cloth",
                "summary_th": "ผ้าซิ่นฝ้ายมัดหมี่ลายโบราณ ทอมือทั้งผืน ใช้เวลาทอราวหนึ่งเดือน",
                "summary_en": "A hand-woven cotton sarong cloth in an old mudmee pattern, about a month's work on the loom.",
                "description_th": (
                    "ผ้าซิ่นยาว 2 เมตร ลายนาคน้อยที่แม่ ๆ ดอนกอยทอต่อกันมาหลายรุ่น "
                    "แต่ละผืนมีลวดลายไม่ซ้ำกันเล็กน้อยเพราะมัดและย้อมด้วยมือ"
                ),
                "description_en": (
                    "Two metres of sarong cloth in the little naga pattern that Don Koi's weavers have passed "
                    "down for generations. Each piece differs slightly, being tied and dyed by hand."
                ),
                "tags": ["ผ้าซิ่น", "sarong", "มัดหมี่", "mudmee", "ผ้าคราม", "indigo"],
                "motif": "cloth", "badge": "",
                "variants": [v("DK-SARONG-2M", "ยาว 2 เมตร", "2 m length", 2500_00, 6, 450, lead=30)],
            },
            {
                "slug": "don-koi-indigo-pha-khao-ma",
                "category": "textiles-clothing", "sales": 140,
                "name_th": "ผ้าขาวม้าย้อมคราม",
                "name_en": "Indigo pha khao ma (all-purpose cloth)",
                "summary_th": "ผ้าขาวม้าลายตาราง ใช้ได้ทั้งเป็นผ้าพันคอ ผ้าคลุมโต๊ะ และผ้าเช็ดตัว",
                "summary_en": "A checked all-purpose cloth: scarf, table runner or towel.",
                "description_th": "ผ้าฝ้ายทอลายตารางสองโทนคราม ขนาด 75 × 160 ซม. ซับน้ำดี แห้งไว",
                "description_en": "Checked cotton in two shades of indigo, 75 × 160 cm; absorbent and quick to dry.",
                "tags": ["ผ้าขาวม้า", "pha khao ma", "ผ้าคราม", "indigo", "ผ้าฝ้าย", "cotton"],
                "motif": "cloth", "badge": "",
                "variants": [
                    v("DK-PKM-STD", "75 × 160 ซม.", "75 × 160 cm", 350_00, 60, 220, gtin=True,
                      tiers=True, moq=10, case_pack=10, lead=14, shelf=1825),
                ],
            },
            {
                "slug": "don-koi-indigo-tote-bag",
                "category": "textiles-clothing", "sales": 77,
                "name_th": "กระเป๋าผ้าครามสะพายไหล่",
                "name_en": "Indigo cotton tote bag",
                "summary_th": "กระเป๋าผ้าฝ้ายย้อมครามบุซับใน มีช่องใส่ของด้านใน",
                "summary_en": "Lined indigo cotton tote with an inside pocket.",
                "description_th": "ใช้เศษผ้าครามจากการตัดเสื้อมาต่อเป็นลวดลาย ขนาด 35 × 38 ซม. หูยาวสะพายไหล่ได้",
                "description_en": "Patched from indigo offcuts from our shirt workshop; 35 × 38 cm with shoulder-length handles.",
                "tags": ["กระเป๋า", "tote bag", "ผ้าคราม", "indigo"],
                "motif": "cloth", "badge": "", "tint": (60, 84, 120),
                "variants": [v("DK-TOTE", "ใบเดียว", "one bag", 450_00, 24, 300)],
            },
        ],
    },
    {
        "slug": "mae-salong-tea",
        "owner": ("maesalong@demo.test", "คุณหลี่ เหว่ยหมิง (Li Weiming)"),
        "registration_no": "5-57-15-03/1-0031",
        "name_th": "วิสาหกิจชุมชนชาอู่หลงบ้านสันติคีรี ดอยแม่สลอง",
        "name_en": "Santikhiri Oolong Tea Community Enterprise, Doi Mae Salong",
        "tagline_th": "ชาอู่หลงดอยสูง เก็บยอดสองใบหนึ่งยอด นวดและอบด้วยมือ",
        "tagline_en": "High-mountain oolong, two leaves and a bud, rolled and fired by hand",
        "story_th": (
            "บ้านสันติคีรีบนดอยแม่สลองอยู่สูงกว่าระดับน้ำทะเลราว 1,200 เมตร อากาศเย็นและหมอกตลอดปีเหมาะกับชา "
            "สมาชิกเป็นทั้งชาวจีนยูนนานและชาวอาข่าที่ปลูกชาบนไหล่เขาร่วมกันมากว่าสามสิบปี "
            "ยอดชาเก็บตอนเช้าก่อนแดดแรง ผึ่งให้สลด นวดเป็นเม็ด แล้วอบด้วยไฟอ่อนหลายรอบ "
            "กลุ่มเริ่มขายส่งให้โรงแรมและร้านชาในกรุงเทพฯ และจดทะเบียนภาษีมูลค่าเพิ่มแล้ว"
        ),
        "story_en": (
            "Santikhiri on Doi Mae Salong sits about 1,200 metres above sea level, cool and misty all year, "
            "ideal for tea. Members are Yunnanese Chinese and Akha families who have farmed tea on these slopes "
            "together for more than thirty years. Leaves are picked in the early morning, withered, rolled into "
            "pearls and fired over a gentle heat several times. The group now sells wholesale to hotels and tea "
            "shops in Bangkok and is registered for VAT."
        ),
        "village": "บ้านสันติคีรี", "subdistrict": "แม่สลองนอก", "district": "แม่ฟ้าหลวง", "province_code": "57",
        "latitude": 20.1632, "longitude": 99.6247,
        "contact_phone": "053-765-031", "contact_email": "santikhiri.tea@demo.test", "line_id": "@maesalongtea",
        "promptpay_id": "0994000165030", "vat_registered": True, "tax_id": "0994000165030",
        "track_stage": "networking", "is_featured": False, "company_code": 1031, "palette": "tea",
        "certifications": [("gap", "GAP 03-9001-57-015-000077", None), ("otop", None, 4),
                           ("mpc", "มผช. 120/2557", None)],
        "products": [
            {
                "slug": "mae-salong-oolong-no12",
                "category": "coffee-tea", "featured": True, "sales": 221,
                "name_th": "ชาอู่หลงเบอร์ 12 ดอยแม่สลอง",
                "name_en": "Doi Mae Salong Oolong No. 12",
                "summary_th": "ชาอู่หลงก้านอ่อน กลิ่นหอมคล้ายนมและดอกไม้ ชงได้หลายน้ำ",
                "summary_en": "Jin Xuan oolong with a milky, floral aroma; brews many times over.",
                "description_th": (
                    "ชาอู่หลงพันธุ์เบอร์ 12 (จินเซวียน) หมักอ่อน นวดเป็นเม็ดกลม น้ำชาสีเหลืองทอง "
                    "กลิ่นหอมนวลเป็นเอกลักษณ์ ชงด้วยน้ำร้อน 90 องศา ได้ 5–6 น้ำ"
                ),
                "description_en": (
                    "Lightly oxidised Jin Xuan (No. 12) oolong rolled into tight pearls. A golden cup with its "
                    "signature creamy scent; brew at 90 °C for five or six infusions."
                ),
                "tags": ["ชา", "tea", "ชาอู่หลง", "oolong", "แม่สลอง", "mae salong"],
                "motif": "tea", "badge": "OOLONG", "fda": "57-2-01863-2-0004",
                "variants": [
                    v("MS-OOL12-100", "ถุง 100 กรัม", "100 g bag", 250_00, 90, 110, gtin=True, tiers=True,
                      moq=10, case_pack=10, lead=7, shelf=730, costs=(95_00, 15_00, 30_00, 10_00)),
                    v("MS-OOL12-200", "กระป๋อง 200 กรัม", "200 g tin", 450_00, 50, 260, gtin=True, tiers=True,
                      moq=6, case_pack=6, lead=7, shelf=730),
                ],
            },
            {
                "slug": "mae-salong-green-tea",
                "category": "coffee-tea", "sales": 119,
                "name_th": "ชาเขียวดอยแม่สลอง",
                "name_en": "Doi Mae Salong green tea",
                "summary_th": "ชาเขียวคั่วกระทะแบบจีน รสสดชื่น หวานปลายลิ้น",
                "summary_en": "Chinese-style pan-fired green tea: fresh, with a sweet finish.",
                "description_th": "ยอดชาอ่อนคั่วในกระทะเหล็กทันทีหลังเก็บเพื่อหยุดการหมัก ได้น้ำชาสีเขียวอ่อนกลิ่นถั่วคั่ว",
                "description_en": "Young leaves pan-fired in an iron wok right after picking; a pale green cup with a toasty note.",
                "tags": ["ชาเขียว", "green tea", "ชา", "tea"],
                "motif": "tea", "badge": "GREEN TEA", "tint": (92, 150, 72), "fda": "57-2-01863-2-0005",
                "variants": [v("MS-GREEN-100", "ถุง 100 กรัม", "100 g bag", 180_00, 70, 110, gtin=True, shelf=540)],
            },
            {
                "slug": "mae-salong-black-tea",
                "category": "coffee-tea", "sales": 83,
                "name_th": "ชาแดงอัสสัมดอยแม่สลอง",
                "name_en": "Doi Mae Salong Assam black tea",
                "summary_th": "ชาแดงจากต้นชาอัสสัมอายุกว่า 40 ปี หอมน้ำผึ้ง เหมาะกับชาไทยและชานม",
                "summary_en": "Black tea from forty-year-old Assam trees with a honeyed note; great for milk tea.",
                "description_th": "หมักเต็มที่และอบแห้งช้า ๆ ได้ชาแดงรสนุ่ม ไม่ฝาด ชงร้อนหรือทำชาเย็นได้ดี",
                "description_en": "Fully oxidised and slowly dried for a smooth, unastringent cup, hot or iced.",
                "tags": ["ชาแดง", "black tea", "ชา", "tea", "อัสสัม", "assam"],
                "motif": "tea", "badge": "BLACK TEA", "tint": (122, 52, 42), "fda": "57-2-01863-2-0006",
                "variants": [v("MS-BLACK-100", "ถุง 100 กรัม", "100 g bag", 150_00, 80, 110, shelf=730)],
            },
            {
                "slug": "mae-salong-tea-gift-set",
                "category": "coffee-tea", "sales": 58,
                "name_th": "ชุดของขวัญชาดอยแม่สลอง 3 ชนิด",
                "name_en": "Doi Mae Salong tea gift set (3 teas)",
                "summary_th": "อู่หลงเบอร์ 12 ชาเขียว และชาแดง อย่างละ 50 กรัม ในกล่องไม้ไผ่",
                "summary_en": "Oolong No. 12, green and black tea, 50 g each, in a bamboo box.",
                "description_th": "กล่องไม้ไผ่สานโดยช่างอาข่า พร้อมการ์ดวิธีชงสองภาษา เหมาะเป็นของขวัญองค์กร",
                "description_en": "A bamboo box woven by Akha craftsmen, with a bilingual brewing card; a popular corporate gift.",
                "tags": ["ชา", "tea", "ของขวัญ", "gift", "ชาอู่หลง", "oolong"],
                "motif": "tea", "badge": "GIFT", "tint": (150, 110, 60),
                "variants": [
                    v("MS-GIFT-3", "กล่อง 3 ชนิด", "box of 3", 590_00, 30, 420,
                      tiers=[(1, 590_00), (30, 520_00), (100, 480_00)], lead=14),
                ],
            },
        ],
    },
    {
        "slug": "lampam-sangyod-rice",
        "owner": ("lampam@demo.test", "คุณสมพงษ์ ทองขาว (Sompong Thongkhao)"),
        "registration_no": "5-93-01-08/1-0014",
        "name_th": "วิสาหกิจชุมชนข้าวสังข์หยดบ้านลำปำ",
        "name_en": "Ban Lampam Sangyod Rice Community Enterprise",
        "tagline_th": "ข้าวสังข์หยดเมืองพัทลุง สินค้าสิ่งบ่งชี้ทางภูมิศาสตร์ จากนาริมทะเลน้อย",
        "tagline_en": "Sangyod rice of Phatthalung, a protected geographical indication, from paddies by the lake",
        "story_th": (
            "บ้านลำปำอยู่ริมทะเลสาบสงขลา ดินนาที่ได้ตะกอนจากน้ำท่วมทุกปีทำให้ข้าวสังข์หยดมีเมล็ดเรียวเล็ก สีแดงอ่อน และนุ่ม "
            "ชาวนากลุ่มนี้ยังดำนาด้วยมือและเกี่ยวด้วยแกะตามประเพณี ก่อนนำมาสีด้วยโรงสีชุมชน "
            "ข้าวทุกถุงผ่านการรับรองสิ่งบ่งชี้ทางภูมิศาสตร์ ‘ข้าวสังข์หยดเมืองพัทลุง’ "
            "กลุ่มกำลังพัฒนาขนมจากข้าวเพื่อขายในร้านของฝากและสนามบิน"
        ),
        "story_en": (
            "Ban Lampam lies on the shore of Songkhla Lake, where the yearly floods leave a silt that gives Sangyod "
            "rice its slender, pale red grains and soft texture. The farmers still transplant by hand and harvest "
            "with the traditional kae blade before milling at the community mill. Every bag is certified under the "
            "'Sangyod Mueang Phatthalung' geographical indication. The group is now developing rice snacks for "
            "souvenir shops and airports."
        ),
        "village": "บ้านลำปำ", "subdistrict": "ลำปำ", "district": "เมืองพัทลุง", "province_code": "93",
        "latitude": 7.6213, "longitude": 100.1527,
        "contact_phone": "074-610-014", "contact_email": "lampam.rice@demo.test", "line_id": "@lampamrice",
        "promptpay_id": "0816100014", "vat_registered": False, "tax_id": None,
        "track_stage": "advancing", "is_featured": False, "company_code": 1014, "palette": "rice",
        "certifications": [("gap", "GAP 03-9001-93-001-000301", None), ("mpc", "มผช. 845/2557", None),
                           ("otop", None, 3)],
        "products": [
            {
                "slug": "lampam-sangyod-rice",
                "category": "rice-grains", "featured": True, "sales": 198,
                "name_th": "ข้าวสังข์หยดเมืองพัทลุง (GI)",
                "name_en": "Sangyod Mueang Phatthalung rice (GI)",
                "summary_th": "ข้าวขาวสังข์หยด เมล็ดเรียว สีแดงอ่อน หุงแล้วนุ่ม หอมอ่อน ๆ",
                "summary_en": "Milled Sangyod rice: slender, pale red grains that cook soft with a gentle fragrance.",
                "description_th": (
                    "ข้าวสังข์หยดแท้จากนาลำปำ ได้รับตราสิ่งบ่งชี้ทางภูมิศาสตร์ สีแบบข้าวซ้อมมือ "
                    "ยังคงเยื่อหุ้มสีแดงบางส่วน บรรจุถุงสุญญากาศ"
                ),
                "description_en": (
                    "Genuine Sangyod from the Lampam paddies, carrying the geographical-indication mark. Lightly "
                    "milled to keep part of the red bran; vacuum-packed."
                ),
                "tags": ["ข้าวสังข์หยด", "sangyod rice", "ข้าว", "rice", "พัทลุง", "gi"],
                "motif": "grain", "badge": "SANGYOD", "fda": "93-1-02214-2-0003",
                "variants": [
                    v("LP-SY-1KG", "1 กิโลกรัม", "1 kg", 90_00, 200, 1000, gtin=True, tiers=True, moq=10,
                      case_pack=10, lead=7, shelf=365),
                    v("LP-SY-5KG", "5 กิโลกรัม", "5 kg", 420_00, 40, 5000, gtin=True, shelf=365),
                ],
            },
            {
                "slug": "lampam-sangyod-brown-rice",
                "category": "rice-grains", "sales": 104,
                "name_th": "ข้าวกล้องสังข์หยด",
                "name_en": "Sangyod brown rice",
                "summary_th": "ข้าวกล้องสังข์หยดสีแดงเข้ม ใยอาหารสูง",
                "summary_en": "Deep red Sangyod brown rice, high in fibre.",
                "description_th": "สีเพียงครั้งเดียวเพื่อเก็บรำสีแดงไว้ทั้งหมด แนะนำให้แช่น้ำ 30 นาทีก่อนหุง",
                "description_en": "Milled just once to keep all the red bran; soak 30 minutes before cooking.",
                "tags": ["ข้าวกล้อง", "brown rice", "ข้าวสังข์หยด", "sangyod rice"],
                "motif": "grain", "badge": "", "fda": "93-1-02214-2-0004",
                "variants": [v("LP-SYBR-1KG", "1 กิโลกรัม", "1 kg", 95_00, 150, 1000, shelf=300)],
            },
            {
                "slug": "lampam-sangyod-rice-crackers",
                "category": "snacks-dried-fruit", "sales": 133,
                "name_th": "ข้าวแต๋นสังข์หยดน้ำแตงโม",
                "name_en": "Sangyod rice crackers with watermelon juice",
                "summary_th": "ข้าวแต๋นกรอบบาง หยอดน้ำตาลอ้อย ทำจากข้าวเหนียวผสมข้าวสังข์หยด",
                "summary_en": "Thin, crisp rice crackers drizzled with cane sugar, made with Sangyod rice.",
                "description_th": "นึ่งข้าว ตากแดดบนแคร่ แล้วทอดในน้ำมันรำข้าว หยอดน้ำตาลอ้อยเคี่ยว กรอบ หอม ไม่อมน้ำมัน",
                "description_en": "Steamed, sun-dried on bamboo racks, fried in rice-bran oil and drizzled with cane caramel.",
                "tags": ["ข้าวแต๋น", "rice crackers", "ขนม", "snack", "ข้าวสังข์หยด", "sangyod rice"],
                "motif": "dried_fruit", "badge": "SNACK", "tint": (224, 190, 140), "fda": "93-1-02214-2-0005",
                "variants": [v("LP-CRACKER-120", "ถุง 120 กรัม", "120 g bag", 60_00, 120, 130, shelf=120)],
            },
            {
                "slug": "lampam-roasted-rice-tea",
                "category": "coffee-tea", "sales": 49,
                "name_th": "ชาข้าวสังข์หยดคั่ว",
                "name_en": "Roasted Sangyod rice tea",
                "summary_th": "ข้าวสังข์หยดคั่วหอม ชงเป็นชาไม่มีคาเฟอีน",
                "summary_en": "Toasted Sangyod rice that brews a caffeine-free tea.",
                "description_th": "คั่วข้าวสังข์หยดในกระทะดินจนหอม บรรจุซองชา 20 ซอง ดื่มร้อนหรือเย็นได้",
                "description_en": "Sangyod rice toasted in a clay pan, in 20 tea bags; drink hot or cold.",
                "tags": ["ชาข้าว", "rice tea", "ชา", "tea", "ข้าวสังข์หยด"],
                "motif": "tea", "badge": "RICE TEA", "tint": (140, 58, 76), "fda": "93-1-02214-2-0006",
                "variants": [v("LP-RICETEA-20", "กล่อง 20 ซอง", "box of 20", 120_00, 60, 80, shelf=540)],
            },
        ],
    },
    {
        "slug": "chaman-orchard-fruit",
        "owner": ("chaman@demo.test", "คุณวันเพ็ญ สวนแก้ว (Wanphen Suankaew)"),
        "registration_no": "5-22-05-05/1-0021",
        "name_th": "วิสาหกิจชุมชนแปรรูปผลไม้บ้านฉมัน",
        "name_en": "Ban Chaman Orchard Fruit Processing Community Enterprise",
        "tagline_th": "ทุเรียน มังคุด และเงาะจันทบุรี แปรรูปเป็นของฝากที่เก็บได้ทั้งปี",
        "tagline_en": "Chanthaburi durian, mangosteen and rambutan, made into treats that keep all year",
        "story_th": (
            "บ้านฉมันในอำเภอมะขามรายล้อมด้วยสวนทุเรียนและมังคุดที่อยู่ใต้เทือกเขาสอยดาว "
            "ในช่วงผลไม้ล้นตลาด ผลที่ผิวไม่สวยมักขายได้ราคาต่ำ กลุ่มชาวสวนจึงสร้างโรงแปรรูปที่ได้มาตรฐาน GMP "
            "นำผลไม้มาทอดสุญญากาศและอบแห้งโดยไม่ใส่สี ทำให้ขายได้ทั้งปีและส่งออกไปยังร้านค้าปลีกสมัยใหม่"
        ),
        "story_en": (
            "Ban Chaman in Makham district is ringed by durian and mangosteen orchards beneath the Soi Dao range. "
            "When fruit floods the market, blemished fruit sells for almost nothing, so the growers built a "
            "GMP-certified kitchen to vacuum-fry and dry it without colouring. Their fruit now sells all year, "
            "including to modern retail chains."
        ),
        "village": "บ้านฉมัน", "subdistrict": "ฉมัน", "district": "มะขาม", "province_code": "22",
        "latitude": 12.7401, "longitude": 102.2106,
        "contact_phone": "039-389-021", "contact_email": "chaman.fruit@demo.test", "line_id": "@chamanfruit",
        "promptpay_id": "0994000221029", "vat_registered": True, "tax_id": "0994000221029",
        "track_stage": "expansion", "is_featured": True, "company_code": 1021, "palette": "snacks",
        "certifications": [("otop", None, 5), ("mpc", "มผช. 136/2558", None),
                           ("gap", "GAP 03-9001-22-005-000188", None)],
        "products": [
            {
                "slug": "chaman-vacuum-fried-durian",
                "category": "snacks-dried-fruit", "featured": True, "sales": 377,
                "name_th": "ทุเรียนหมอนทองทอดสุญญากาศ",
                "name_en": "Vacuum-fried Monthong durian chips",
                "summary_th": "ทุเรียนหมอนทองจันท์แท้ ทอดสุญญากาศ กรอบ หอม ไม่อมน้ำมัน",
                "summary_en": "Real Chanthaburi Monthong durian, vacuum-fried: crisp, fragrant, never greasy.",
                "description_th": (
                    "ใช้ทุเรียนหมอนทองแก่จัดจากสวนสมาชิก ฝานบางแล้วทอดในระบบสุญญากาศที่อุณหภูมิต่ำ "
                    "จึงได้สีเหลืองทองธรรมชาติและกลิ่นทุเรียนเต็มที่ บรรจุซองฟอยล์ใส่ไนโตรเจน"
                ),
                "description_en": (
                    "Fully ripe Monthong from members' orchards, thinly sliced and vacuum-fried at low temperature "
                    "for a natural golden colour and full durian aroma. Nitrogen-packed in foil pouches."
                ),
                "tags": ["ทุเรียน", "durian", "ทุเรียนทอด", "durian chips", "ของฝาก", "snack", "จันทบุรี"],
                "motif": "dried_fruit", "badge": "DURIAN", "tint": (238, 200, 84), "photo2": ("dried_fruit", "ทุเรียนหมอนทองจันท์แท้", "Real Chanthaburi Monthong durian"),
                "fda": "22-1-05530-2-0015",
                "variants": [
                    v("CM-DUR-100", "ซอง 100 กรัม", "100 g pouch", 290_00, 140, 120, gtin=True, tiers=True,
                      moq=12, case_pack=12, lead=7, shelf=365, costs=(150_00, 18_00, 25_00, 12_00)),
                    v("CM-DUR-250", "ซอง 250 กรัม", "250 g pouch", 650_00, 50, 280, gtin=True, tiers=True,
                      moq=6, case_pack=6, lead=7, shelf=365),
                ],
            },
            {
                "slug": "chaman-mangosteen-paste",
                "category": "snacks-dried-fruit", "sales": 122,
                "name_th": "มังคุดกวน",
                "name_en": "Mangosteen fruit paste",
                "summary_th": "เนื้อมังคุดกวนกับน้ำตาลมะพร้าว เปรี้ยวอมหวาน เหนียวนุ่ม",
                "summary_en": "Mangosteen cooked down with coconut sugar: sweet-sour and chewy.",
                "description_th": "กวนในกระทะทองเหลืองนานกว่าสี่ชั่วโมงจนเหนียว ตัดเป็นชิ้นพอดีคำ ห่อกระดาษแก้วทีละชิ้น",
                "description_en": "Stirred in a brass pan for over four hours, cut into bite-size pieces and wrapped one by one.",
                "tags": ["มังคุด", "mangosteen", "ผลไม้กวน", "fruit paste", "ของฝาก"],
                "motif": "jar", "badge": "มังคุด", "fda": "22-1-05530-2-0016",
                "variants": [v("CM-MANGO-200", "กล่อง 200 กรัม", "200 g box", 150_00, 90, 230, gtin=True, shelf=180)],
            },
            {
                "slug": "chaman-dried-rambutan",
                "category": "snacks-dried-fruit", "sales": 86,
                "name_th": "เงาะโรงเรียนอบแห้ง",
                "name_en": "Dried Rongrien rambutan",
                "summary_th": "เงาะโรงเรียนคว้านเมล็ดแล้วอบแห้ง หวานธรรมชาติ",
                "summary_en": "Seeded Rongrien rambutan, dried, naturally sweet.",
                "description_th": "อบด้วยตู้อบลมร้อนที่อุณหภูมิต่ำ ไม่เติมน้ำตาล เนื้อหนึบ กินเล่นหรือใส่กราโนล่า",
                "description_en": "Dried with low-temperature hot air and no added sugar; chewy, for snacking or granola.",
                "tags": ["เงาะ", "rambutan", "ผลไม้อบแห้ง", "dried fruit"],
                "motif": "dried_fruit", "badge": "RAMBUTAN", "tint": (198, 72, 58), "fda": "22-1-05530-2-0017",
                "variants": [v("CM-RAMB-100", "ซอง 100 กรัม", "100 g pouch", 120_00, 100, 115, shelf=270)],
            },
            {
                "slug": "chaman-dried-longkong",
                "category": "snacks-dried-fruit", "sales": 52,
                "name_th": "ลองกองอบแห้ง",
                "name_en": "Dried longkong",
                "summary_th": "ลองกองหวานอมเปรี้ยว อบแห้งจนหนึบ",
                "summary_en": "Sweet-tart longkong, dried until chewy.",
                "description_th": "ลองกองจากสวนในตำบลฉมัน แกะเปลือกและเมล็ดด้วยมือก่อนอบ",
                "description_en": "Longkong from Chaman's orchards, peeled and seeded by hand before drying.",
                "tags": ["ลองกอง", "longkong", "ผลไม้อบแห้ง", "dried fruit"],
                "motif": "dried_fruit", "badge": "LONGKONG", "tint": (228, 210, 150), "fda": "22-1-05530-2-0018",
                "variants": [v("CM-LONG-100", "ซอง 100 กรัม", "100 g pouch", 130_00, 70, 115, shelf=270)],
            },
            {
                "slug": "chaman-mixed-fruit-gift-box",
                "category": "snacks-dried-fruit", "sales": 95,
                "name_th": "กล่องของฝากผลไม้จันท์รวม",
                "name_en": "Chanthaburi mixed fruit gift box",
                "summary_th": "ทุเรียนทอด มังคุดกวน และเงาะอบแห้ง ในกล่องเดียว",
                "summary_en": "Durian chips, mangosteen paste and dried rambutan in one box.",
                "description_th": "กล่องกระดาษคราฟท์ลายสวนผลไม้ พร้อมถุงหิ้ว เหมาะเป็นของฝากจากจันทบุรี",
                "description_en": "A kraft-paper box printed with orchard scenes, with a carry bag: the classic Chanthaburi gift.",
                "tags": ["ของฝาก", "gift", "ผลไม้", "fruit", "ทุเรียน", "durian"],
                "motif": "dried_fruit", "badge": "GIFT BOX",
                "variants": [
                    v("CM-GIFT-3", "กล่อง 3 อย่าง", "box of 3", 490_00, 40, 520,
                      tiers=[(1, 490_00), (50, 440_00), (200, 400_00)], lead=10),
                ],
            },
        ],
    },
    {
        "slug": "tha-sawang-silk",
        "owner": ("thasawang@demo.test", "คุณมาลี ทองดี (Malee Thongdee)"),
        "registration_no": "5-32-01-05/1-0003",
        "name_th": "วิสาหกิจชุมชนทอผ้าไหมบ้านท่าสว่าง",
        "name_en": "Ban Tha Sawang Silk Weavers Community Enterprise",
        "tagline_th": "ผ้าไหมยกทองสุรินทร์ ทอด้วยกี่โบราณหลายตะกอ",
        "tagline_en": "Surin gold-brocade silk, woven on old multi-heddle looms",
        "story_th": (
            "บ้านท่าสว่างมีชื่อเสียงด้านผ้าไหมยกทองที่ทอด้วยกี่โบราณซึ่งต้องใช้ช่างหลายคนช่วยกันยกตะกอ "
            "ลวดลายบางผืนมีตะกอนับพันเส้นและใช้เวลาทอหลายเดือน ชาวบ้านเลี้ยงไหมและสาวไหมเองเป็นส่วนใหญ่ "
            "กลุ่มนี้ทำผ้าไหมมัดหมี่ ผ้าคลุมไหล่ และของใช้ชิ้นเล็กเพื่อให้คนรุ่นใหม่ได้ใช้ผ้าไหมในชีวิตประจำวัน"
        ),
        "story_en": (
            "Ban Tha Sawang is known for gold-brocade silk woven on ancient looms that need several weavers "
            "working together to lift the heddles. Some patterns use a thousand heddle strings and take months "
            "to weave. Most families raise their own silkworms and reel their own thread. The group also makes "
            "mudmee silk, shawls and small everyday pieces so a new generation can wear silk every day."
        ),
        "village": "บ้านท่าสว่าง", "subdistrict": "ท่าสว่าง", "district": "เมืองสุรินทร์", "province_code": "32",
        "latitude": 14.8706, "longitude": 103.4271,
        "contact_phone": "044-530-003", "contact_email": "thasawang.silk@demo.test", "line_id": "@thasawangsilk",
        "promptpay_id": "0815300003", "vat_registered": False, "tax_id": None,
        "track_stage": "networking", "is_featured": False, "company_code": 1003, "palette": "textile",
        "certifications": [("otop", None, 5), ("mpc", "มผช. 12/2564", None)],
        "products": [
            {
                "slug": "tha-sawang-gold-brocade-silk",
                "category": "textiles-clothing", "featured": True, "sales": 12,
                "name_th": "ผ้าไหมยกทองท่าสว่าง",
                "name_en": "Tha Sawang gold-brocade silk",
                "summary_th": "ผ้าไหมยกทองลายดอกพิกุล ทอด้วยกี่หลายตะกอ ผืนยาว 2 เมตร",
                "summary_en": "Gold brocade silk in the pikul flower pattern, woven on a multi-heddle loom; 2 m.",
                "description_th": (
                    "ไหมน้อยเส้นเล็กทอสลับดิ้นทอง ใช้ช่างสามคนทอราวสองเดือนต่อผืน "
                    "เหมาะสำหรับตัดชุดในงานพิธี มาพร้อมกล่องไม้และใบรับรองผ้า"
                ),
                "description_en": (
                    "Fine inner silk woven with gold thread; three weavers spend about two months on each length. "
                    "For ceremonial dress; comes in a wooden box with a certificate."
                ),
                "tags": ["ผ้าไหม", "silk", "ยกทอง", "brocade", "สุรินทร์", "surin"],
                "motif": "cloth", "badge": "", "tint": (192, 146, 40),
                "variants": [v("TS-BROCADE-2M", "ยาว 2 เมตร", "2 m length", 6500_00, 3, 500, lead=60)],
            },
            {
                "slug": "tha-sawang-mudmee-silk",
                "category": "textiles-clothing", "sales": 27,
                "name_th": "ผ้าไหมมัดหมี่สุรินทร์",
                "name_en": "Surin mudmee silk",
                "summary_th": "ผ้าไหมมัดหมี่ย้อมสีธรรมชาติจากเปลือกไม้และครั่ง",
                "summary_en": "Mudmee silk dyed with bark and lac.",
                "description_th": "ย้อมด้วยครั่ง ใบมะม่วง และแก่นขนุน ได้สีแดงส้มและเหลืองทองที่นุ่มนวล ผืนยาว 2 เมตร",
                "description_en": "Dyed with lac, mango leaves and jackfruit heartwood for soft reds and golds; 2 m length.",
                "tags": ["ผ้าไหม", "silk", "มัดหมี่", "mudmee", "สีธรรมชาติ", "natural dye"],
                "motif": "cloth", "badge": "", "tint": (176, 52, 62),
                "variants": [v("TS-MUDMEE-2M", "ยาว 2 เมตร", "2 m length", 3200_00, 7, 400, lead=30)],
            },
            {
                "slug": "tha-sawang-silk-shawl",
                "category": "textiles-clothing", "sales": 66,
                "name_th": "ผ้าคลุมไหล่ไหม",
                "name_en": "Silk shawl",
                "summary_th": "ผ้าคลุมไหล่ไหมทอมือ เบา นุ่ม ใช้ได้ทั้งห้องแอร์และงานกลางคืน",
                "summary_en": "A light, soft hand-woven silk shawl for air-conditioned rooms and evenings out.",
                "description_th": "ขนาด 60 × 200 ซม. ชายครุยผูกมือ มีสามสี: แดงครั่ง น้ำเงินคราม และทองธรรมชาติ",
                "description_en": "60 × 200 cm with hand-knotted fringes, in lac red, indigo blue or natural gold.",
                "tags": ["ผ้าคลุมไหล่", "shawl", "ผ้าไหม", "silk"],
                "motif": "cloth", "badge": "", "tint": (150, 40, 70),
                "variants": [
                    v("TS-SHAWL-RED", "แดงครั่ง", "lac red", 1290_00, 9, 150, gtin=True),
                    v("TS-SHAWL-BLUE", "น้ำเงินคราม", "indigo blue", 1290_00, 6, 150, gtin=True),
                ],
            },
            {
                "slug": "tha-sawang-silk-necktie",
                "category": "textiles-clothing", "sales": 41,
                "name_th": "เนกไทผ้าไหม",
                "name_en": "Silk necktie",
                "summary_th": "เนกไทผ้าไหมทอลายเล็ก เย็บมือ บุซับในเต็มตัว",
                "summary_en": "Hand-sewn necktie in small-patterned woven silk, fully lined.",
                "description_th": "ของขวัญยอดนิยมสำหรับงานเกษียณและงานประชุม บรรจุกล่องผ้าไหม",
                "description_en": "A favourite gift for retirements and conferences, in a silk-covered box.",
                "tags": ["เนกไท", "necktie", "ผ้าไหม", "silk", "ของขวัญ", "gift"],
                "motif": "cloth", "badge": "", "tint": (70, 44, 116),
                "variants": [
                    v("TS-TIE", "เส้นเดียว", "one tie", 590_00, 25, 90, gtin=True,
                      tiers=[(1, 590_00), (30, 520_00), (100, 480_00)], lead=21),
                ],
            },
        ],
    },
    {
        "slug": "karaket-goat-milk-soap",
        "owner": ("karaket@demo.test", "คุณอามีนะห์ หมัดหลี (Aminah Madlee)"),
        "registration_no": "5-80-06-11/1-0007",
        "name_th": "วิสาหกิจชุมชนฟาร์มแพะบ้านการะเกด",
        "name_en": "Ban Karaket Goat Farm Community Enterprise",
        "tagline_th": "สบู่และโลชั่นนมแพะสด จากฟาร์มแพะของชุมชนมุสลิมเชียรใหญ่",
        "tagline_en": "Fresh goat-milk soap and lotion from a Muslim community goat farm in Chian Yai",
        "story_th": (
            "บ้านการะเกดเป็นชุมชนมุสลิมในอำเภอเชียรใหญ่ที่เลี้ยงแพะนมร่วมกันมากว่ายี่สิบครอบครัว "
            "นมแพะที่เหลือจากการขายสดนำมาทำสบู่แบบกวนเย็น ผสมขมิ้นและน้ำผึ้งจากชุมชนใกล้เคียง "
            "กลุ่มเพิ่งเริ่มเรียนเรื่องการคิดต้นทุนและการออกแบบบรรจุภัณฑ์ในระยะแรกของโครงการ"
        ),
        "story_en": (
            "Ban Karaket is a Muslim community in Chian Yai where more than twenty families keep dairy goats "
            "together. Milk not sold fresh goes into cold-process soap with turmeric and honey from neighbouring "
            "villages. The group has just begun learning costing and packaging design in the first stage of the "
            "programme."
        ),
        "village": "บ้านการะเกด", "subdistrict": "การะเกด", "district": "เชียรใหญ่", "province_code": "80",
        "latitude": 8.1548, "longitude": 100.1279,
        "contact_phone": "075-386-007", "contact_email": "karaket.goat@demo.test", "line_id": "@karaketgoat",
        "promptpay_id": "0813860007", "vat_registered": False, "tax_id": None,
        "track_stage": "foundation", "is_featured": False, "company_code": 1107, "palette": "beauty",
        "certifications": [("mpc", "มผช. 6/2561", None)],
        "products": [
            {
                "slug": "karaket-goat-milk-soap",
                "category": "beauty-soap", "sales": 143,
                "name_th": "สบู่นมแพะสด บ้านการะเกด",
                "name_en": "Ban Karaket fresh goat-milk soap",
                "summary_th": "สบู่นมแพะกวนเย็น อ่อนโยน ฟองนุ่ม เหมาะกับผิวแห้งและผิวแพ้ง่าย",
                "summary_en": "Gentle cold-process goat-milk soap with a soft lather, for dry and sensitive skin.",
                "description_th": "ใช้นมแพะสดมากกว่า 30% ผสมน้ำมันมะพร้าวและน้ำมันรำข้าว บ่มนานสี่สัปดาห์ก่อนจำหน่าย",
                "description_en": "Over 30% fresh goat milk with coconut and rice-bran oils, cured four weeks before sale.",
                "tags": ["สบู่", "soap", "นมแพะ", "goat milk", "ผิวแพ้ง่าย", "sensitive skin"],
                "motif": "soap", "badge": "SOAP",
                "variants": [
                    v("KK-SOAP-100", "ก้อน 100 กรัม", "100 g bar", 89_00, 180, 110),
                    v("KK-SOAP-3PK", "แพ็ก 3 ก้อน", "pack of 3", 240_00, 60, 330),
                ],
            },
            {
                "slug": "karaket-turmeric-goat-milk-soap",
                "category": "beauty-soap", "sales": 97,
                "name_th": "สบู่นมแพะขมิ้นชัน",
                "name_en": "Turmeric goat-milk soap",
                "summary_th": "สบู่นมแพะผสมขมิ้นชันจากสวนในชุมชน ช่วยให้ผิวดูกระจ่างใส",
                "summary_en": "Goat-milk soap with turmeric from community gardens, for a brighter look.",
                "description_th": "ขมิ้นชันตากแห้งบดละเอียดผสมในเนื้อสบู่ ได้สีเหลืองทองธรรมชาติ ไม่ใส่สีสังเคราะห์",
                "description_en": "Finely ground dried turmeric gives a natural golden colour; no synthetic dyes.",
                "tags": ["สบู่", "soap", "ขมิ้น", "turmeric", "นมแพะ", "goat milk"],
                "motif": "soap", "badge": "TURMERIC",
                "variants": [v("KK-TURM-100", "ก้อน 100 กรัม", "100 g bar", 99_00, 120, 110)],
            },
            {
                "slug": "karaket-goat-milk-lotion",
                "category": "beauty-soap", "sales": 58,
                "name_th": "โลชั่นนมแพะ",
                "name_en": "Goat-milk body lotion",
                "summary_th": "โลชั่นบำรุงผิว ซึมไว ไม่เหนียวเหนอะหนะ",
                "summary_en": "A light body lotion that sinks in fast without stickiness.",
                "description_th": "ผลิตในห้องผลิตเครื่องสำอางที่จดแจ้งแล้ว ขวดปั๊ม 250 มล.",
                "description_en": "Made in a registered cosmetics workshop; 250 ml pump bottle.",
                "tags": ["โลชั่น", "lotion", "นมแพะ", "goat milk"],
                "motif": "bottle", "badge": "LOTION", "tint": (246, 240, 228),
                "variants": [v("KK-LOTION-250", "ขวด 250 มล.", "250 ml bottle", 259_00, 50, 300)],
            },
            {
                "slug": "karaket-soap-gift-set",
                "category": "beauty-soap", "sales": 34,
                "name_th": "ชุดของขวัญสบู่นมแพะ",
                "name_en": "Goat-milk soap gift set",
                "summary_th": "สบู่นมแพะ สบู่ขมิ้น และที่วางสบู่ไม้ยางพารา",
                "summary_en": "Goat-milk soap, turmeric soap and a rubberwood soap dish.",
                "description_th": "บรรจุกล่องกระดาษสาผูกเชือกปอ เหมาะเป็นของชำร่วยงานแต่งงาน",
                "description_en": "In a mulberry-paper box tied with jute: a popular wedding favour.",
                "tags": ["ของขวัญ", "gift", "สบู่", "soap"],
                "motif": "soap", "badge": "GIFT",
                "variants": [v("KK-GIFT", "ชุดเดียว", "one set", 390_00, 25, 400)],
            },
        ],
    },
    {
        "slug": "phraek-nam-daeng-coconut-sugar",
        "owner": ("phraek@demo.test", "คุณสมศักดิ์ เพชรน้ำ (Somsak Phetnam)"),
        "registration_no": "5-75-03-10/1-0019",
        "name_th": "วิสาหกิจชุมชนน้ำตาลมะพร้าวแพรกหนามแดง",
        "name_en": "Phraek Nam Daeng Coconut Sugar Community Enterprise",
        "tagline_th": "น้ำตาลมะพร้าวแท้ 100% เคี่ยวในกระทะบนเตาตาลแบบอัมพวา",
        "tagline_en": "Pure coconut sugar, cooked down in pans over Amphawa's traditional sugar stoves",
        "story_th": (
            "ตำบลแพรกหนามแดงในอำเภออัมพวาเป็นแหล่งน้ำตาลมะพร้าวแหล่งสุดท้าย ๆ ที่ยังขึ้นตาลทุกเช้าเย็น "
            "คนปาดตาลปีนต้นมะพร้าววันละหลายสิบต้นเพื่อรองน้ำหวานจากงวง แล้วนำมาเคี่ยวบนเตาตาลจนข้นเป็นน้ำตาลปึก "
            "น้ำตาลของกลุ่มไม่ผสมน้ำตาลทราย ทำให้หอมและหวานละมุนแบบที่ร้านขนมไทยตามหา"
        ),
        "story_en": (
            "Phraek Nam Daeng in Amphawa is one of the last places where sap is still gathered every morning and "
            "evening. Tappers climb dozens of coconut palms a day to collect the sweet sap from the flower stalks, "
            "then cook it down over sugar stoves into cakes. The group's sugar has no cane sugar mixed in, giving "
            "the fragrant, mellow sweetness that Thai dessert shops look for."
        ),
        "village": "บ้านแพรกหนามแดง", "subdistrict": "แพรกหนามแดง", "district": "อัมพวา", "province_code": "75",
        "latitude": 13.3869, "longitude": 99.9407,
        "contact_phone": "034-751-019", "contact_email": "amphawa.sugar@demo.test", "line_id": "@amphawasugar",
        "promptpay_id": "0817510019", "vat_registered": False, "tax_id": None,
        "track_stage": "advancing", "is_featured": False, "company_code": 1119, "palette": "seasoning",
        "certifications": [("mpc", "มผช. 263/2561", None), ("otop", None, 4)],
        "products": [
            {
                "slug": "amphawa-pure-coconut-sugar",
                "category": "seasonings-sauces", "sales": 256,
                "name_th": "น้ำตาลมะพร้าวแท้ 100% อัมพวา",
                "name_en": "Amphawa 100% pure coconut sugar",
                "summary_th": "น้ำตาลปึกจากน้ำตาลสดล้วน ไม่ผสมน้ำตาลทราย หอมควันเตาตาล",
                "summary_en": "Sugar cakes made only from fresh sap, no cane sugar, with a hint of stove smoke.",
                "description_th": "เคี่ยวน้ำตาลสดที่รองในวันเดียวกัน หยอดเป็นถ้วยเล็กแล้วห่อกระดาษ เหมาะกับแกงและขนมไทย",
                "description_en": "Sap collected the same day is cooked down and set in small cups; ideal for curries and Thai sweets.",
                "tags": ["น้ำตาลมะพร้าว", "coconut sugar", "น้ำตาล", "sugar", "อัมพวา", "amphawa"],
                "motif": "sugar", "badge": "มะพร้าว", "fda": "75-1-03312-2-0002",
                "variants": [
                    v("AP-SUGAR-500", "ถุง 500 กรัม", "500 g bag", 90_00, 160, 520, gtin=True, tiers=True,
                      moq=20, case_pack=20, lead=5, shelf=365, costs=(42_00, 6_00, 14_00, 4_00)),
                ],
            },
            {
                "slug": "amphawa-coconut-sugar-syrup",
                "category": "seasonings-sauces", "sales": 91,
                "name_th": "ไซรัปน้ำตาลมะพร้าว",
                "name_en": "Coconut sugar syrup",
                "summary_th": "น้ำตาลมะพร้าวเหลวสำหรับกาแฟ ชา และแพนเค้ก",
                "summary_en": "Liquid coconut sugar for coffee, tea and pancakes.",
                "description_th": "เคี่ยวน้ำตาลสดให้เข้มข้นพอดีไม่ตกผลึก ละลายง่ายในเครื่องดื่มเย็น",
                "description_en": "Sap reduced just enough not to crystallise; dissolves easily in cold drinks.",
                "tags": ["ไซรัป", "syrup", "น้ำตาลมะพร้าว", "coconut sugar"],
                "motif": "bottle", "badge": "SYRUP", "tint": (150, 84, 36), "fda": "75-1-03312-2-0003",
                "variants": [v("AP-SYRUP-250", "ขวด 250 มล.", "250 ml bottle", 120_00, 70, 380, gtin=True, shelf=365)],
            },
            {
                "slug": "amphawa-coconut-vinegar",
                "category": "seasonings-sauces", "sales": 44,
                "name_th": "น้ำส้มสายชูหมักจากน้ำตาลมะพร้าว",
                "name_en": "Naturally fermented coconut-sap vinegar",
                "summary_th": "หมักตามธรรมชาตินานหกเดือน เปรี้ยวนุ่ม มีกลิ่นหอม",
                "summary_en": "Fermented naturally for six months: mellow, fragrant sourness.",
                "description_th": "หมักน้ำตาลสดในโอ่งดินจนเป็นน้ำส้มสายชู ใช้ทำน้ำจิ้ม น้ำสลัด และดองผัก",
                "description_en": "Coconut sap fermented in clay jars into vinegar, for dips, dressings and pickles.",
                "tags": ["น้ำส้มสายชู", "vinegar", "มะพร้าว", "coconut"],
                "motif": "bottle", "badge": "VINEGAR", "tint": (236, 226, 190), "fda": "75-1-03312-2-0004",
                "variants": [v("AP-VINEGAR-500", "ขวด 500 มล.", "500 ml bottle", 95_00, 60, 700, shelf=730)],
            },
            {
                "slug": "amphawa-coconut-sugar-granules",
                "category": "seasonings-sauces", "sales": 63,
                "name_th": "น้ำตาลมะพร้าวชนิดเกล็ด",
                "name_en": "Granulated coconut sugar",
                "summary_th": "น้ำตาลมะพร้าวร่อนเป็นเกล็ด ใช้ตวงง่าย เหมาะกับการอบขนม",
                "summary_en": "Coconut sugar sifted into granules: easy to measure, good for baking.",
                "description_th": "ใช้แทนน้ำตาลทรายได้ในอัตราหนึ่งต่อหนึ่ง ให้รสคาราเมลอ่อน ๆ",
                "description_en": "Use one-for-one in place of cane sugar for a light caramel taste.",
                "tags": ["น้ำตาลมะพร้าว", "coconut sugar", "อบขนม", "baking"],
                "motif": "sugar", "badge": "เกล็ด", "fda": "75-1-03312-2-0005",
                "variants": [v("AP-GRAN-300", "ถุง 300 กรัม", "300 g bag", 85_00, 90, 320, shelf=365)],
            },
        ],
    },
    {
        "slug": "pho-si-herbal",
        "owner": ("phosi@demo.test", "คุณบุญมี แสงจันทร์ (Boonmee Saengchan)"),
        "registration_no": "5-34-19-08/1-0022",
        "name_th": "วิสาหกิจชุมชนสมุนไพรบ้านโพธิ์ศรี",
        "name_en": "Ban Pho Si Herbal Community Enterprise",
        "tagline_th": "ยาดม ลูกประคบ และยาหม่องสมุนไพร ตามตำรับหมอพื้นบ้านอีสาน",
        "tagline_en": "Herbal inhalers, compresses and balms from Isan folk-healer recipes",
        "story_th": (
            "บ้านโพธิ์ศรีริมแม่น้ำมูลมีหมอพื้นบ้านที่ชาวบ้านนับถือมาหลายรุ่น "
            "กลุ่มแม่บ้านเรียนตำรับยาจากหมอในหมู่บ้านแล้วปลูกไพล ขมิ้น และตะไคร้ในแปลงรวม "
            "ตอนนี้กลุ่มกำลังอยู่ในระยะเริ่มต้นของโครงการ ฝึกคิดต้นทุนและถ่ายรูปสินค้าเพื่อขายออนไลน์"
        ),
        "story_en": (
            "Ban Pho Si on the Mun River has folk healers respected for generations. The village women learned "
            "their recipes and now grow phlai, turmeric and lemongrass in a shared plot. The group is at the "
            "start of the programme, learning to cost its products and photograph them for selling online."
        ),
        "village": "บ้านโพธิ์ศรี", "subdistrict": "โพธิ์ศรี", "district": "พิบูลมังสาหาร", "province_code": "34",
        "latitude": 15.2412, "longitude": 105.2298,
        "contact_phone": "045-441-022", "contact_email": "phosi.herbal@demo.test", "line_id": "@phosiherbal",
        "promptpay_id": "0814410022", "vat_registered": False, "tax_id": None,
        "track_stage": "foundation", "is_featured": False, "company_code": 1122, "palette": "herbal",
        "certifications": [("organic", "PGS อุบลฯ 2566-031", None)],
        "products": [
            {
                "slug": "pho-si-herbal-inhaler",
                "category": "herbal-wellness", "sales": 310,
                "name_th": "ยาดมสมุนไพรบ้านโพธิ์ศรี",
                "name_en": "Ban Pho Si herbal inhaler",
                "summary_th": "ยาดมแบบขวดแก้ว ผสมพิมเสน การบูร และสมุนไพรแห้ง หอมสดชื่น",
                "summary_en": "Glass-jar herbal inhaler with borneol, camphor and dried herbs: a refreshing scent.",
                "description_th": "เปิดฝาดมเมื่อรู้สึกวิงเวียนหรือคัดจมูก ใช้ได้นานหลายเดือน",
                "description_en": "Open and breathe in when dizzy or stuffy; lasts for months.",
                "tags": ["ยาดม", "herbal inhaler", "สมุนไพร", "herbal"],
                "motif": "herbs", "badge": "ยาดม",
                "variants": [
                    v("PS-INHALER", "ขวดเดียว", "one jar", 35_00, 400, 40),
                    v("PS-INHALER-6", "แพ็ก 6 ขวด", "pack of 6", 189_00, 80, 250),
                ],
            },
            {
                "slug": "pho-si-herbal-compress",
                "category": "herbal-wellness", "sales": 77,
                "name_th": "ลูกประคบสมุนไพรสด",
                "name_en": "Fresh herbal compress ball",
                "summary_th": "ไพล ขมิ้น ตะไคร้ ใบมะขาม ห่อผ้าดิบ นึ่งแล้วประคบคลายกล้ามเนื้อ",
                "summary_en": "Phlai, turmeric, lemongrass and tamarind leaves in cotton: steam and press on tired muscles.",
                "description_th": "ใช้สมุนไพรสดจากแปลงรวม ห่อสดใหม่ทุกสัปดาห์ เก็บในตู้เย็นได้สองสัปดาห์",
                "description_en": "Fresh herbs from the shared plot, wrapped every week; keeps two weeks in the fridge.",
                "tags": ["ลูกประคบ", "herbal compress", "สมุนไพร", "herbal", "นวดไทย", "thai massage"],
                "motif": "herbs", "badge": "ประคบ",
                "variants": [v("PS-COMPRESS", "ลูกละ 200 กรัม", "200 g ball", 120_00, 40, 210)],
            },
            {
                "slug": "pho-si-phlai-balm",
                "category": "herbal-wellness", "sales": 102,
                "name_th": "ยาหม่องไพล",
                "name_en": "Phlai balm",
                "summary_th": "ยาหม่องเนื้อขี้ผึ้งผสมน้ำมันไพล ทาคลายปวดเมื่อย",
                "summary_en": "Beeswax balm with phlai oil for aches and stiffness.",
                "description_th": "กลั่นน้ำมันไพลจากเหง้าไพลในแปลงของกลุ่ม ผสมขี้ผึ้งแท้ ตลับ 20 กรัม",
                "description_en": "Phlai oil distilled from the group's own rhizomes, in real beeswax; 20 g tin.",
                "tags": ["ยาหม่อง", "balm", "ไพล", "phlai", "สมุนไพร", "herbal"],
                "motif": "jar", "badge": "ไพล",
                "variants": [v("PS-BALM-20", "ตลับ 20 กรัม", "20 g tin", 89_00, 150, 40)],
            },
            {
                "slug": "pho-si-lemongrass-oil",
                "category": "herbal-wellness", "sales": 29,
                "name_th": "น้ำมันหอมระเหยตะไคร้",
                "name_en": "Lemongrass essential oil",
                "summary_th": "น้ำมันตะไคร้กลั่นไอน้ำ ใช้หยดในเตาอโรมาหรือผสมน้ำมันนวด",
                "summary_en": "Steam-distilled lemongrass oil for diffusers or massage blends.",
                "description_th": "ขวดแก้วสีชาพร้อมหลอดหยด 10 มล. ห้ามรับประทาน",
                "description_en": "10 ml amber glass bottle with dropper. Not for internal use.",
                "tags": ["น้ำมันหอมระเหย", "essential oil", "ตะไคร้", "lemongrass"],
                "motif": "herbs", "badge": "OIL",
                "variants": [v("PS-LEMON-10", "ขวด 10 มล.", "10 ml bottle", 150_00, 45, 50)],
            },
        ],
    },
    {
        "slug": "tanod-luang-palm-sugar",
        "owner": ("tanodluang@demo.test", "คุณประยูร ตาลทอง (Prayoon Tanthong)"),
        "registration_no": "5-76-02-03/1-0011",
        "name_th": "วิสาหกิจชุมชนตาลโตนดบ้านโตนดหลวง",
        "name_en": "Ban Tanod Luang Palmyra Palm Community Enterprise",
        "tagline_th": "น้ำตาลโตนดแท้เมืองเพชร จากต้นตาลอายุกว่าร้อยปี",
        "tagline_en": "Real Phetchaburi palm sugar from century-old palmyra palms",
        "story_th": (
            "บ้านโตนดหลวงในอำเภอเขาย้อยมีต้นตาลโตนดขึ้นอยู่บนคันนาหลายพันต้น ‘ตาลคู่นา’ เป็นภาพที่คนเมืองเพชรคุ้นตา "
            "คนขึ้นตาลปีนต้นวันละสองรอบเพื่อเก็บน้ำตาลใส แล้วเคี่ยวในกระทะใบบัวจนเป็นน้ำตาลหอมกลิ่นเฉพาะตัว "
            "ชุมชนเปิดบ้านเป็นแหล่งท่องเที่ยวให้นักท่องเที่ยวมาลองขึ้นตาลและทำขนม "
            "รายได้ช่วยให้คนหนุ่มสาวเห็นคุณค่าของอาชีพที่กำลังจะหายไป"
        ),
        "story_en": (
            "Ban Tanod Luang in Khao Yoi has thousands of palmyra palms standing on the paddy dykes, the 'palms "
            "and paddies' landscape every Phetchaburi person knows. Climbers go up each palm twice a day for the "
            "clear sap and cook it in wide pans into a sugar with a scent all its own. The community welcomes "
            "visitors to try climbing and making sweets, and the income shows young people the value of a craft "
            "that was dying out."
        ),
        "village": "บ้านโตนดหลวง", "subdistrict": "บางเค็ม", "district": "เขาย้อย", "province_code": "76",
        "latitude": 13.2356, "longitude": 99.8701,
        "contact_phone": "032-447-011", "contact_email": "tanodluang@demo.test", "line_id": "@tanodluang",
        "promptpay_id": "0814470011", "vat_registered": False, "tax_id": None,
        "track_stage": "networking", "is_featured": False, "company_code": 1211, "palette": "seasoning",
        "certifications": [("mpc", "มผช. 263/2561", None), ("otop", None, 4),
                           ("low_carbon", "T-VER-CP 0307", None)],
        "products": [
            {
                "slug": "tanod-luang-palm-sugar",
                "category": "seasonings-sauces", "featured": True, "sales": 233,
                "name_th": "น้ำตาลโตนดแท้ เมืองเพชร",
                "name_en": "Pure Phetchaburi palmyra palm sugar",
                "summary_th": "น้ำตาลโตนดแท้ 100% หอม หวานละมุน สีน้ำตาลทอง",
                "summary_en": "100% palmyra palm sugar: fragrant, mellow and golden brown.",
                "description_th": "เคี่ยวจากน้ำตาลใสที่รองในกระบอกไม้ไผ่ ใส่ไม้เคี่ยมเพื่อกันบูดตามภูมิปัญญาเดิม บรรจุกระปุก",
                "description_en": "Cooked from sap caught in bamboo tubes with kiam wood to keep it fresh, the old way; in a tub.",
                "tags": ["น้ำตาลโตนด", "palm sugar", "น้ำตาล", "sugar", "เพชรบุรี", "phetchaburi"],
                "motif": "sugar", "badge": "โตนด", "photo2": ("village", "ตาลคู่นา บ้านโตนดหลวง", "Palms and paddies at Ban Tanod Luang"),
                "fda": "76-1-02286-2-0001",
                "variants": [
                    v("TL-SUGAR-500", "กระปุก 500 กรัม", "500 g tub", 120_00, 130, 560, gtin=True, tiers=True,
                      moq=12, case_pack=12, lead=7, shelf=365, costs=(55_00, 10_00, 18_00, 5_00)),
                    v("TL-SUGAR-1KG", "กระปุก 1 กิโลกรัม", "1 kg tub", 220_00, 60, 1080, gtin=True, tiers=True,
                      moq=6, case_pack=6, lead=7, shelf=365),
                ],
            },
            {
                "slug": "tanod-luang-palm-syrup",
                "category": "seasonings-sauces", "sales": 67,
                "name_th": "น้ำตาลโตนดเหลว",
                "name_en": "Palmyra palm syrup",
                "summary_th": "น้ำตาลโตนดชนิดน้ำ เทง่าย ผสมเครื่องดื่มได้ทันที",
                "summary_en": "Pourable palm sugar syrup that mixes straight into drinks.",
                "description_th": "นิยมใช้กับกาแฟ ชาไทย และน้ำตาลโตนดปั่น",
                "description_en": "A favourite in coffee, Thai tea and palm-sugar smoothies.",
                "tags": ["น้ำตาลโตนด", "palm sugar", "ไซรัป", "syrup"],
                "motif": "bottle", "badge": "โตนด", "tint": (176, 104, 40), "fda": "76-1-02286-2-0002",
                "variants": [v("TL-SYRUP-250", "ขวด 250 มล.", "250 ml bottle", 110_00, 70, 380, shelf=365)],
            },
            {
                "slug": "tanod-luang-palm-sugar-powder",
                "category": "seasonings-sauces", "sales": 38,
                "name_th": "น้ำตาลโตนดผง",
                "name_en": "Palm sugar powder",
                "summary_th": "น้ำตาลโตนดบดผง ละลายเร็ว ใช้โรยหน้าขนม",
                "summary_en": "Powdered palm sugar that dissolves fast; sprinkle on desserts.",
                "description_th": "อบน้ำตาลโตนดให้แห้งแล้วบดละเอียด บรรจุถุงซิปล็อก",
                "description_en": "Palm sugar dried and finely ground, in a zip-lock bag.",
                "tags": ["น้ำตาลโตนด", "palm sugar", "น้ำตาลผง", "sugar powder"],
                "motif": "sugar", "badge": "ผง", "fda": "76-1-02286-2-0003",
                "variants": [v("TL-POWDER-250", "ถุง 250 กรัม", "250 g bag", 95_00, 80, 270, shelf=365)],
            },
            {
                "slug": "tanod-luang-thong-muan",
                "category": "snacks-dried-fruit", "sales": 149,
                "name_th": "ทองม้วนน้ำตาลโตนด",
                "name_en": "Palm sugar coconut rolls (thong muan)",
                "summary_th": "ทองม้วนกรอบบาง หอมน้ำตาลโตนดและกะทิสด",
                "summary_en": "Thin, crisp rolls scented with palm sugar and fresh coconut cream.",
                "description_th": "ละเลงแป้งบนพิมพ์ทองเหลืองทีละแผ่นบนเตาถ่าน แล้วม้วนขณะร้อน บรรจุกล่องกันชื้น",
                "description_en": "Each wafer is cooked on brass irons over charcoal and rolled while hot; in a moisture-proof tin.",
                "tags": ["ทองม้วน", "thong muan", "ขนมไทย", "thai dessert", "น้ำตาลโตนด", "palm sugar"],
                "motif": "dried_fruit", "badge": "ทองม้วน", "tint": (222, 172, 92), "fda": "76-1-02286-2-0004",
                "variants": [v("TL-THONGMUAN", "กล่อง 150 กรัม", "150 g tin", 120_00, 90, 260, shelf=90)],
            },
        ],
    },
    {
        "slug": "paknam-krasae-shrimp-paste",
        "owner": ("paknam@demo.test", "คุณจำเนียร ทะเลทอง (Chamnian Thaleethong)"),
        "registration_no": "5-21-03-13/1-0008",
        "name_th": "วิสาหกิจชุมชนกะปิและอาหารทะเลแปรรูปปากน้ำกระแส",
        "name_en": "Paknam Krasae Shrimp Paste and Seafood Community Enterprise",
        "tagline_th": "กะปิเคยแท้ตำมือ และอาหารทะเลตากแห้งจากเรือประมงพื้นบ้านแกลง",
        "tagline_en": "Hand-pounded krill paste and dried seafood from Klaeng's small-boat fishers",
        "story_th": (
            "ปากน้ำกระแสเป็นหมู่บ้านประมงพื้นบ้านที่ปากคลองกระแสในอำเภอแกลง "
            "ในฤดูเคยชาวบ้านออกเรือเล็กรุนเคยตามชายฝั่ง แล้วนำมาหมักเกลือ ตากแดด และตำซ้ำหลายรอบจนได้กะปิเนื้อละเอียดหอม "
            "กลุ่มรวมตัวกันเพื่อให้ได้ราคาที่เป็นธรรมจากการขายตรง และยังช่วยกันดูแลป่าชายเลนที่เป็นแหล่งอนุบาลสัตว์น้ำ"
        ),
        "story_en": (
            "Paknam Krasae is a small-boat fishing village at the mouth of Khlong Krasae in Klaeng. In krill season "
            "the fishers push nets along the shore from small boats, then salt, sun-dry and pound the krill again "
            "and again into a fine, fragrant paste. They banded together to earn a fair price by selling direct, "
            "and look after the mangroves that shelter the young fish."
        ),
        "village": "บ้านปากน้ำกระแส", "subdistrict": "ปากน้ำกระแส", "district": "แกลง", "province_code": "21",
        "latitude": 12.6291, "longitude": 101.6812,
        "contact_phone": "038-651-008", "contact_email": "paknam.krasae@demo.test", "line_id": "@paknamkrasae",
        "promptpay_id": "0816510008", "vat_registered": False, "tax_id": None,
        "track_stage": "advancing", "is_featured": False, "company_code": 1308, "palette": "seasoning",
        "certifications": [("mpc", "มผช. 102/2559", None), ("otop", None, 3)],
        "products": [
            {
                "slug": "paknam-krasae-krill-paste",
                "category": "seasonings-sauces", "sales": 188,
                "name_th": "กะปิเคยแท้ ปากน้ำกระแส",
                "name_en": "Paknam Krasae pure krill paste",
                "summary_th": "กะปิเคยแท้ หมักนานสามเดือน เนื้อละเอียด หอม ไม่ใส่สี",
                "summary_en": "Pure krill paste fermented three months: fine, fragrant, no colouring.",
                "description_th": "ใช้เคยตาดำจากชายฝั่งแกลงกับเกลือทะเลเท่านั้น ตำและตากสลับกันสี่รอบ เหมาะกับน้ำพริกและแกงส้ม",
                "description_en": "Only black-eyed krill from the Klaeng coast and sea salt, pounded and sun-dried four times; for chilli dips and sour curry.",
                "tags": ["กะปิ", "shrimp paste", "เคย", "krill", "เครื่องปรุง", "seasoning", "ระยอง"],
                "motif": "jar", "badge": "กะปิ", "tint": (118, 72, 84), "fda": "21-1-06617-2-0012",
                "variants": [
                    v("PK-KAPI-250", "กระปุก 250 กรัม", "250 g tub", 89_00, 160, 300, gtin=True, tiers=True,
                      moq=12, case_pack=12, lead=7, shelf=365),
                    v("PK-KAPI-1KG", "กระปุก 1 กิโลกรัม", "1 kg tub", 290_00, 40, 1100, gtin=True, tiers=True,
                      moq=4, case_pack=4, lead=7, shelf=365),
                ],
            },
            {
                "slug": "paknam-krasae-nam-prik-kapi",
                "category": "seasonings-sauces", "sales": 75,
                "name_th": "น้ำพริกกะปิพร้อมทาน",
                "name_en": "Ready-to-eat shrimp-paste chilli dip",
                "summary_th": "น้ำพริกกะปิสูตรชาวประมง เผ็ด เค็ม เปรี้ยว หวาน ครบรส",
                "summary_en": "A fisher family's nam prik kapi: hot, salty, sour and sweet.",
                "description_th": "ผัดน้ำพริกกะปิให้แห้งเพื่อเก็บได้นาน ทานกับผักสดและปลาทู",
                "description_en": "Stir-fried dry so it keeps; eat with fresh vegetables and mackerel.",
                "tags": ["น้ำพริก", "chilli dip", "กะปิ", "shrimp paste"],
                "motif": "jar", "badge": "น้ำพริก", "tint": (170, 60, 40), "fda": "21-1-06617-2-0013",
                "variants": [v("PK-NAMPRIK-120", "กระปุก 120 กรัม", "120 g jar", 79_00, 100, 200, shelf=180)],
            },
            {
                "slug": "paknam-krasae-dried-shrimp",
                "category": "seasonings-sauces", "sales": 112,
                "name_th": "กุ้งแห้งตัวใหญ่ ไม่ย้อมสี",
                "name_en": "Large dried shrimp, no dye",
                "summary_th": "กุ้งแชบ๊วยตากแดด สีส้มธรรมชาติ เนื้อแน่น หวาน",
                "summary_en": "Sun-dried banana prawns with a natural orange colour, firm and sweet.",
                "description_th": "ต้มน้ำเกลืออ่อนแล้วตากแดดสองวัน ไม่ใส่สีและสารกันเสีย เก็บในตู้เย็นหลังเปิด",
                "description_en": "Boiled in light brine and sun-dried two days, no dye or preservatives; refrigerate after opening.",
                "tags": ["กุ้งแห้ง", "dried shrimp", "อาหารทะเล", "seafood"],
                "motif": "dried_fruit", "badge": "กุ้งแห้ง", "tint": (236, 118, 76), "fda": "21-1-06617-2-0014",
                "variants": [v("PK-SHRIMP-100", "ถุง 100 กรัม", "100 g bag", 220_00, 60, 110, shelf=120)],
            },
            {
                "slug": "paknam-krasae-fish-sauce",
                "category": "seasonings-sauces", "sales": 59,
                "name_th": "น้ำปลาแท้จากปลากะตัก",
                "name_en": "Pure anchovy fish sauce",
                "summary_th": "หมักปลากะตักกับเกลือในบ่อนานกว่า 12 เดือน น้ำปลาหัวสีทอง",
                "summary_en": "Anchovies fermented with salt for over 12 months: golden first-press fish sauce.",
                "description_th": "ไม่เติมผงชูรสหรือน้ำตาล รสเค็มกลมกล่อมตามธรรมชาติ",
                "description_en": "No MSG or sugar added; naturally rounded saltiness.",
                "tags": ["น้ำปลา", "fish sauce", "เครื่องปรุง", "seasoning"],
                "motif": "bottle", "badge": "น้ำปลา", "tint": (168, 98, 36), "fda": "21-1-06617-2-0015",
                "variants": [v("PK-FISHSAUCE-700", "ขวด 700 มล.", "700 ml bottle", 95_00, 80, 1000, shelf=730)],
            },
        ],
    },
    {
        "slug": "lampang-chicken-bowl-ceramics",
        "owner": ("chomphu@demo.test", "คุณวิชัย ดินดี (Wichai Dindee)"),
        "registration_no": "5-52-01-06/1-0035",
        "name_th": "วิสาหกิจชุมชนเซรามิกบ้านชมพู",
        "name_en": "Ban Chomphu Ceramics Community Enterprise",
        "tagline_th": "ชามตราไก่และเซรามิกเขียนมือ จากดินขาวลำปาง",
        "tagline_en": "Hand-painted rooster bowls and ceramics from Lampang kaolin",
        "story_th": (
            "ลำปางมีดินขาวคุณภาพดีและเป็นบ้านเกิดของชามตราไก่ที่คนไทยทุกบ้านรู้จัก "
            "ช่างในบ้านชมพูหลายคนเคยทำงานในโรงงานเซรามิกใหญ่ ก่อนรวมกลุ่มกันเปิดเตาเผาของชุมชน "
            "ทุกชิ้นขึ้นรูปด้วยแป้นหมุนและเขียนลายด้วยพู่กันทีละใบ กลุ่มส่งสินค้าให้โรงแรมและร้านอาหาร "
            "และจดทะเบียนภาษีมูลค่าเพิ่มเพื่อออกใบกำกับภาษีให้ลูกค้าธุรกิจ"
        ),
        "story_en": (
            "Lampang has fine kaolin and is the home of the rooster bowl every Thai household knows. Several of "
            "Ban Chomphu's potters once worked in large ceramic factories before pooling their skills around a "
            "community kiln. Every piece is thrown on the wheel and painted by brush, one at a time. The group "
            "supplies hotels and restaurants and is VAT-registered so it can issue tax invoices to business buyers."
        ),
        "village": "บ้านชมพู", "subdistrict": "ชมพู", "district": "เมืองลำปาง", "province_code": "52",
        "latitude": 18.2722, "longitude": 99.4611,
        "contact_phone": "054-820-035", "contact_email": "chomphu.ceramics@demo.test", "line_id": "@chomphuceramic",
        "promptpay_id": "0994000520034", "vat_registered": True, "tax_id": "0994000520034",
        "track_stage": "expansion", "is_featured": False, "company_code": 1335, "palette": "handicraft",
        "certifications": [("otop", None, 5), ("mpc", "มผช. 29/2559", None)],
        "products": [
            {
                "slug": "chomphu-rooster-bowl",
                "category": "handicrafts-home", "featured": True, "sales": 264,
                "name_th": "ชามตราไก่เขียนมือ 6 นิ้ว",
                "name_en": "Hand-painted rooster bowl, 6 inch",
                "summary_th": "ชามตราไก่ลายดั้งเดิม เขียนมือทุกใบ ใช้กับเครื่องล้างจานได้",
                "summary_en": "The classic rooster bowl, painted by hand; dishwasher safe.",
                "description_th": "เนื้อพอร์ซเลนเผาที่ 1,250 องศา ลายไก่ ดอกโบตั๋น และใบตอง ขนาดเส้นผ่านศูนย์กลาง 6 นิ้ว",
                "description_en": "Porcelain fired at 1,250 °C with rooster, peony and banana-leaf motifs; 6 inches across.",
                "tags": ["ชามตราไก่", "rooster bowl", "เซรามิก", "ceramics", "ลำปาง", "lampang"],
                "motif": "ceramic", "badge": "",
                "variants": [
                    v("CP-BOWL-6", "ใบเดียว", "one bowl", 120_00, 240, 350, gtin=True,
                      tiers=[(1, 120_00), (50, 100_00), (200, 88_00)], moq=12, case_pack=12, lead=14, shelf=3650),
                    v("CP-BOWL-6-SET4", "ชุด 4 ใบ", "set of 4", 450_00, 60, 1450, gtin=True, tiers=True,
                      moq=4, case_pack=4, lead=14, shelf=3650),
                ],
            },
            {
                "slug": "chomphu-ceramic-mug",
                "category": "handicrafts-home", "sales": 131,
                "name_th": "แก้วมัคเซรามิกลายไก่",
                "name_en": "Rooster ceramic mug",
                "summary_th": "แก้วมัคความจุ 350 มล. ลายไก่แบบร่วมสมัย",
                "summary_en": "A 350 ml mug with a modern take on the rooster.",
                "description_th": "หูจับถนัดมือ เคลือบด้านในสีขาว เข้าไมโครเวฟได้",
                "description_en": "Comfortable handle, white glaze inside, microwave safe.",
                "tags": ["แก้วมัค", "mug", "เซรามิก", "ceramics"],
                "motif": "ceramic", "badge": "",
                "variants": [v("CP-MUG-350", "350 มล.", "350 ml", 220_00, 90, 380, gtin=True)],
            },
            {
                "slug": "chomphu-flower-plate-set",
                "category": "handicrafts-home", "sales": 48,
                "name_th": "ชุดจานเซรามิกลายดอกไม้ 4 ใบ",
                "name_en": "Floral ceramic plate set of 4",
                "summary_th": "จานแบน 8 นิ้ว เขียนลายดอกไม้สีคราม",
                "summary_en": "8-inch plates painted with indigo flowers.",
                "description_th": "ลายดอกพุดตานสีคราม แต่ละใบเขียนต่างกันเล็กน้อย บรรจุกล่องกันกระแทก",
                "description_en": "Indigo cotton-rose flowers, each plate slightly different; packed in a shock-proof box.",
                "tags": ["จาน", "plates", "เซรามิก", "ceramics"],
                "motif": "ceramic", "badge": "",
                "variants": [v("CP-PLATE-SET4", "ชุด 4 ใบ", "set of 4", 450_00, 30, 2200)],
            },
            {
                "slug": "chomphu-tea-set",
                "category": "handicrafts-home", "sales": 22,
                "name_th": "ชุดกาน้ำชาเซรามิก",
                "name_en": "Ceramic tea set",
                "summary_th": "กาน้ำชาพร้อมถ้วย 4 ใบ เคลือบสีเขียวไข่กา",
                "summary_en": "Teapot and four cups in a celadon glaze.",
                "description_th": "เคลือบเขียวไข่กาแบบเตาโบราณ กาจุ 600 มล. เหมาะกับชาอู่หลงและชาจีน",
                "description_en": "Old-style celadon glaze; the pot holds 600 ml, ideal for oolong and Chinese teas.",
                "tags": ["กาน้ำชา", "tea set", "เซรามิก", "ceramics", "ศิลาดล", "celadon"],
                "motif": "ceramic", "badge": "",
                "variants": [v("CP-TEASET", "ชุด 5 ชิ้น", "5-piece set", 990_00, 12, 1600, lead=21)],
            },
        ],
    },
    {
        "slug": "ban-paeng-water-hyacinth",
        "owner": ("banpaeng@demo.test", "คุณสุนีย์ ริมน้ำ (Sunee Rimnam)"),
        "registration_no": "5-14-04-04/1-0016",
        "name_th": "วิสาหกิจชุมชนจักสานผักตบชวาบ้านแป้ง",
        "name_en": "Ban Paeng Water Hyacinth Weavers Community Enterprise",
        "tagline_th": "เปลี่ยนผักตบชวาที่อุดตันแม่น้ำเจ้าพระยาเป็นงานจักสานที่แข็งแรงและสวยงาม",
        "tagline_en": "Turning the water hyacinth that chokes the Chao Phraya into strong, beautiful basketry",
        "story_th": (
            "บ้านแป้งอยู่ริมแม่น้ำเจ้าพระยาในอำเภอบางไทร ที่ผักตบชวาลอยมาอุดตันทางน้ำทุกปี "
            "ชาวบ้านเก็บต้นผักตบมาตากแห้งแล้วสานเป็นตะกร้าและกระเป๋า ช่วยทั้งแม่น้ำและเพิ่มรายได้หลังฤดูทำนา "
            "กลุ่มเพิ่งเข้าร่วมโครงการและกำลังเรียนรู้การตั้งราคาและการถ่ายภาพสินค้า"
        ),
        "story_en": (
            "Ban Paeng sits on the Chao Phraya in Bang Sai, where water hyacinth drifts in and blocks the river "
            "every year. Villagers gather the stems, dry them in the sun and weave baskets and bags, helping the "
            "river and earning income after the rice season. The group has just joined the programme and is "
            "learning to price and photograph its products."
        ),
        "village": "บ้านแป้ง", "subdistrict": "บ้านแป้ง", "district": "บางไทร", "province_code": "14",
        "latitude": 14.1879, "longitude": 100.4897,
        "contact_phone": "035-371-016", "contact_email": "banpaeng.weave@demo.test", "line_id": "@banpaengweave",
        "promptpay_id": "0813710016", "vat_registered": False, "tax_id": None,
        "track_stage": "foundation", "is_featured": False, "company_code": 1416, "palette": "handicraft",
        "certifications": [("otop", None, 3), ("low_carbon", "T-VER-CP 0412", None)],
        "products": [
            {
                "slug": "ban-paeng-hyacinth-basket",
                "category": "handicrafts-home", "sales": 87,
                "name_th": "ตะกร้าผักตบชวามีหูหิ้ว",
                "name_en": "Water hyacinth basket with handle",
                "summary_th": "ตะกร้าสานแน่น ทรงกลม ใส่ผลไม้ ของใช้ หรือเป็นกระเช้าของขวัญ",
                "summary_en": "A tightly woven round basket for fruit, odds and ends or gift hampers.",
                "description_th": "โครงลวดชุบกันสนิม สานผักตบเส้นเกลียว เคลือบแลคเกอร์กันเชื้อรา ขนาด 30 ซม.",
                "description_en": "Rust-proofed wire frame, twisted hyacinth weave, mould-proof lacquer; 30 cm across.",
                "tags": ["ตะกร้า", "basket", "ผักตบชวา", "water hyacinth", "จักสาน", "basketry"],
                "motif": "basket", "badge": "",
                "variants": [
                    v("BP-BASKET-30", "30 ซม.", "30 cm", 390_00, 40, 600,
                      tiers=[(1, 390_00), (20, 340_00), (100, 300_00)], lead=21),
                ],
            },
            {
                "slug": "ban-paeng-hyacinth-bag",
                "category": "handicrafts-home", "sales": 64,
                "name_th": "กระเป๋าสานผักตบชวา",
                "name_en": "Woven water hyacinth bag",
                "summary_th": "กระเป๋าถือทรงสี่เหลี่ยม บุผ้าด้านใน ปิดด้วยกระดุมไม้",
                "summary_en": "A square handbag, fabric-lined, with a wooden toggle.",
                "description_th": "สานลายขัดสองสี ผักตบธรรมชาติกับผักตบย้อมสีเปลือกมะพร้าว",
                "description_en": "Two-tone plain weave in natural and coconut-husk-dyed hyacinth.",
                "tags": ["กระเป๋า", "bag", "ผักตบชวา", "water hyacinth", "จักสาน"],
                "motif": "basket", "badge": "",
                "variants": [v("BP-BAG", "ใบเดียว", "one bag", 590_00, 20, 450)],
            },
            {
                "slug": "ban-paeng-placemats",
                "category": "handicrafts-home", "sales": 53,
                "name_th": "แผ่นรองจานผักตบชวา ชุด 6 ชิ้น",
                "name_en": "Water hyacinth placemats, set of 6",
                "summary_th": "แผ่นรองจานทรงกลม 35 ซม. เช็ดทำความสะอาดง่าย",
                "summary_en": "Round 35 cm placemats, easy to wipe clean.",
                "description_th": "สานแบนแน่นเพื่อไม่ให้จานโคลง เหมาะกับร้านอาหารและโฮมสเตย์",
                "description_en": "A flat, tight weave so plates sit level; popular with restaurants and homestays.",
                "tags": ["แผ่นรองจาน", "placemat", "ผักตบชวา", "water hyacinth"],
                "motif": "basket", "badge": "",
                "variants": [v("BP-MATS-6", "ชุด 6 ชิ้น", "set of 6", 250_00, 35, 900)],
            },
            {
                "slug": "ban-paeng-laundry-basket",
                "category": "handicrafts-home", "sales": 19,
                "name_th": "ตะกร้าใส่ผ้าผักตบชวามีฝา",
                "name_en": "Lidded water hyacinth laundry basket",
                "summary_th": "ตะกร้าทรงสูง 50 ซม. มีฝาปิดและถุงผ้าด้านใน",
                "summary_en": "A 50 cm tall basket with lid and removable cotton liner.",
                "description_th": "ถุงผ้าด้านในถอดซักได้ โครงไม้ไผ่แข็งแรง",
                "description_en": "The cotton liner comes out for washing; sturdy bamboo frame.",
                "tags": ["ตะกร้าผ้า", "laundry basket", "ผักตบชวา", "water hyacinth"],
                "motif": "basket", "badge": "",
                "variants": [v("BP-LAUNDRY", "สูง 50 ซม.", "50 cm tall", 690_00, 10, 1500, lead=30)],
            },
        ],
    },
    {
        "slug": "nan-wild-honey",
        "owner": ("sathan@demo.test", "คุณอินสม ไชยวงค์ (Insom Chaiwong)"),
        "registration_no": "5-55-05-03/1-0027",
        "name_th": "วิสาหกิจชุมชนน้ำผึ้งป่าบ้านสถาน",
        "name_en": "Ban Sathan Wild Honey Community Enterprise",
        "tagline_th": "น้ำผึ้งโพรงและน้ำผึ้งดอกไม้ป่า จากป่าต้นน้ำน่าน",
        "tagline_en": "Native-bee and wildflower honey from Nan's headwater forests",
        "story_th": (
            "บ้านสถานในอำเภอปัวอยู่ติดป่าต้นน้ำที่ชุมชนช่วยกันดูแลมานานกว่ายี่สิบปี "
            "ชาวบ้านเลี้ยงผึ้งโพรงในกล่องไม้ใต้ชายคาบ้านและในสวนชา แทนการตีผึ้งป่าแบบเดิมที่ทำลายรัง "
            "น้ำผึ้งแต่ละล็อตมีรสต่างกันตามดอกไม้ที่บานในฤดูนั้น กลุ่มตรวจความชื้นทุกล็อตก่อนบรรจุ"
        ),
        "story_en": (
            "Ban Sathan in Pua district borders a headwater forest the community has protected for more than "
            "twenty years. Families keep native bees in wooden boxes under their eaves and in tea gardens instead "
            "of raiding wild nests. Each batch tastes of whatever flowered that season, and every batch is tested "
            "for moisture before bottling."
        ),
        "village": "บ้านสถาน", "subdistrict": "สถาน", "district": "ปัว", "province_code": "55",
        "latitude": 19.1889, "longitude": 100.9281,
        "contact_phone": "054-791-027", "contact_email": "sathan.honey@demo.test", "line_id": "@sathanhoney",
        "promptpay_id": "0817910027", "vat_registered": False, "tax_id": None,
        "track_stage": "networking", "is_featured": False, "company_code": 1527, "palette": "snacks",
        "certifications": [("organic", "PGS น่าน 2565-012", None), ("otop", None, 4)],
        "products": [
            {
                "slug": "sathan-native-bee-honey",
                "category": "snacks-dried-fruit", "sales": 171,
                "name_th": "น้ำผึ้งโพรงแท้ บ้านสถาน",
                "name_en": "Ban Sathan native-bee honey",
                "summary_th": "น้ำผึ้งจากผึ้งโพรงไทย รสหวานอมเปรี้ยว หอมดอกไม้ป่า",
                "summary_en": "Honey from Thai native bees: sweet, lightly tart, scented with wildflowers.",
                "description_th": "เก็บจากกล่องเลี้ยงปีละครั้ง กรองด้วยผ้าขาวบาง ไม่ผ่านความร้อน ความชื้นไม่เกิน 21%",
                "description_en": "Harvested from the hives once a year, strained through muslin, never heated; moisture at most 21%.",
                "tags": ["น้ำผึ้ง", "honey", "น้ำผึ้งโพรง", "native bee", "น่าน", "nan"],
                "motif": "honey", "badge": "น้ำผึ้ง", "fda": "55-1-01145-2-0006",
                "variants": [
                    v("ST-HONEY-250", "ขวด 250 กรัม", "250 g jar", 280_00, 80, 420, gtin=True, tiers=True,
                      moq=12, case_pack=12, lead=7, shelf=730),
                    v("ST-HONEY-500", "ขวด 500 กรัม", "500 g jar", 520_00, 35, 780, gtin=True, shelf=730),
                ],
            },
            {
                "slug": "sathan-longan-honey",
                "category": "snacks-dried-fruit", "sales": 98,
                "name_th": "น้ำผึ้งดอกลำไย",
                "name_en": "Longan blossom honey",
                "summary_th": "น้ำผึ้งสีอำพัน หอมกลิ่นลำไยชัดเจน",
                "summary_en": "Amber honey with an unmistakable longan scent.",
                "description_th": "จากรังผึ้งที่วางในสวนลำไยของสมาชิกช่วงลำไยออกดอก ราวกุมภาพันธ์ถึงมีนาคม",
                "description_en": "From hives placed in members' longan orchards while the trees flower, around February and March.",
                "tags": ["น้ำผึ้ง", "honey", "ลำไย", "longan"],
                "motif": "honey", "badge": "ลำไย", "fda": "55-1-01145-2-0007",
                "variants": [v("ST-LONGAN-300", "ขวด 300 กรัม", "300 g jar", 180_00, 70, 480, shelf=730)],
            },
            {
                "slug": "sathan-honeycomb",
                "category": "snacks-dried-fruit", "sales": 26,
                "name_th": "รวงผึ้งสดในกล่อง",
                "name_en": "Fresh honeycomb box",
                "summary_th": "รวงผึ้งตัดชิ้นในกล่องใส ทานได้ทั้งรวง",
                "summary_en": "Cut comb honey in a clear box, to eat comb and all.",
                "description_th": "มีเฉพาะฤดูเก็บน้ำผึ้ง จำนวนจำกัด",
                "description_en": "Only in the harvest season; limited quantities.",
                "tags": ["รวงผึ้ง", "honeycomb", "น้ำผึ้ง", "honey"],
                "motif": "honey", "badge": "รวงผึ้ง", "fda": "55-1-01145-2-0008",
                "variants": [v("ST-COMB-200", "กล่อง 200 กรัม", "200 g box", 250_00, 15, 260, shelf=365)],
            },
            {
                "slug": "sathan-beeswax-wrap",
                "category": "handicrafts-home", "sales": 44,
                "name_th": "ผ้าเคลือบขี้ผึ้งห่ออาหาร",
                "name_en": "Beeswax food wraps",
                "summary_th": "ใช้แทนพลาสติกห่ออาหาร ล้างแล้วใช้ซ้ำได้ ชุด 3 ขนาด",
                "summary_en": "A reusable alternative to cling film; set of three sizes.",
                "description_th": "ผ้าฝ้ายพิมพ์ลายเคลือบขี้ผึ้งจากรังของกลุ่ม ผสมยางสนและน้ำมันมะพร้าว",
                "description_en": "Printed cotton coated with our own beeswax, pine resin and coconut oil.",
                "tags": ["ผ้าห่ออาหาร", "beeswax wrap", "ขี้ผึ้ง", "beeswax", "zero waste"],
                "motif": "cloth", "badge": "", "tint": (226, 184, 72),
                "variants": [v("ST-WRAP-3", "ชุด 3 ขนาด", "set of 3", 290_00, 30, 120)],
            },
        ],
    },
]

# Accounts besides the enterprise owners. The retail buyer's tax ID has a valid check digit.
DEMO_USERS: list[dict[str, Any]] = [
    {"email": "admin@demo.test", "display_name": "เจ้าหน้าที่โครงการ (Programme staff)", "is_staff": True},
    {"email": "shopper@demo.test", "display_name": "คุณนภา ใจงาม (Napa Jaingam)"},
    {"email": "buyer@demo.test", "display_name": "คุณธนา พาณิชย์ (Thana Panich)",
     "retail_buyer": {"company_name": "บริษัท ร้านดีของฝาก จำกัด", "tax_id": "0105561234560",
                      "branch": "สำนักงานใหญ่", "business_type": "shop"}},
    {"email": "mentor@demo.test", "display_name": "คุณกิตติ พี่เลี้ยง (Kitti, partner-company mentor)",
     "is_mentor": True},
]


# --- Word lists for ``flask demo generate`` (the synthetic benchmark catalogue) -------
#
# Real Thai and English words, so that searching the synthetic catalogue exercises Thai
# word segmentation the way real listings do. Each family names its category (from
# CATEGORIES), product nouns, descriptive words, tags, variant options as
# (Thai, English, grams, price multiplier) and a price range in satang for the first
# option.

GEN_VILLAGES: list[tuple[str, str]] = [
    ("ห้วยน้ำริน", "Huai Nam Rin"), ("ป่าเหมี้ยง", "Pa Miang"), ("ดอยช้าง", "Doi Chang"), ("นาคูหา", "Na Khuha"),
    ("หนองบัว", "Nong Bua"), ("โนนสูง", "Non Sung"), ("ท่าข้าม", "Tha Kham"), ("หัวนา", "Hua Na"),
    ("คีรีวง", "Khiriwong"), ("น้ำเชี่ยว", "Nam Chiao"), ("หนองขาว", "Nong Khao"), ("ถวาย", "Thawai"),
    ("นาต้นจั่น", "Na Ton Chan"), ("แม่กำปอง", "Mae Kampong"), ("ปงไคร้", "Pong Khrai"), ("โคกสลุง", "Khok Salung"),
    ("บางพลับ", "Bang Phlap"), ("เกาะเกร็ด", "Ko Kret"), ("หาดเสี้ยว", "Hat Siao"), ("นาโพธิ์", "Na Pho"),
    ("ดงบัง", "Dong Bang"), ("สามขา", "Sam Kha"), ("ป่าบง", "Pa Bong"), ("ทุ่งยาว", "Thung Yao"),
    ("ห้วยหินลาด", "Huai Hin Lat"), ("โป่งแยง", "Pong Yaeng"), ("แม่สาบ", "Mae Sap"), ("ผาหมี", "Pha Mi"),
    ("ลาดหญ้า", "Lat Ya"), ("บ่อสวก", "Bo Suak"), ("นาเกลือ", "Na Kluea"), ("คลองเรือ", "Khlong Ruea"),
    ("ไร่กองขิง", "Rai Kong Khing"), ("หนองแสง", "Nong Saeng"), ("ดอนแก้ว", "Don Kaeo"), ("ท่าสะอาด", "Tha Sa-at"),
    ("วังน้ำเขียว", "Wang Nam Khiao"), ("ปากคลอง", "Pak Khlong"), ("ห้วยทราย", "Huai Sai"), ("นาหว้า", "Na Wa"),
    ("โพนงาม", "Phon Ngam"), ("ทุ่งหลวง", "Thung Luang"), ("แม่ทา", "Mae Tha"), ("เขาวง", "Khao Wong"),
]

GEN_ADJECTIVES: list[tuple[str, str]] = [
    ("ทำมือ", "handmade"), ("สูตรดั้งเดิม", "traditional"), ("คัดพิเศษ", "select"), ("ภูมิปัญญาชาวบ้าน", "heritage"),
    ("จากชุมชน", "community-made"), ("รุ่นพิเศษ", "special edition"), ("ขายดี", "best-loved"),
]

GEN_FAMILIES: list[dict[str, Any]] = [
    {"key": "coffee", "category": "coffee-tea", "craft": ("กาแฟ", "Coffee"),
     "nouns": [("กาแฟคั่ว", "roasted coffee"), ("กาแฟคั่วบด", "ground coffee"), ("เมล็ดกาแฟอาราบิก้า", "arabica beans"),
               ("กาแฟดริป", "drip coffee"), ("กาแฟโรบัสต้า", "robusta coffee"), ("กาแฟคั่วโอ่ง", "jar-roasted coffee")],
     "adjectives": [("คั่วกลาง", "medium roast"), ("คั่วเข้ม", "dark roast"), ("คั่วอ่อน", "light roast"),
                    ("ออร์แกนิก", "organic"), ("จากดอยสูง", "highland")],
     "tags": [("กาแฟ", "coffee"), ("อาราบิก้า", "arabica"), ("คั่วบด", "ground")],
     "options": [("250 กรัม", "250 g", 250, 100), ("500 กรัม", "500 g", 500, 190), ("1 กิโลกรัม", "1 kg", 1000, 360)],
     "price": (120_00, 290_00)},
    {"key": "tea", "category": "coffee-tea", "craft": ("ชา", "Tea"),
     "nouns": [("ชาอู่หลง", "oolong tea"), ("ชาเขียว", "green tea"), ("ชาแดง", "black tea"),
               ("ชาดอกอัญชัน", "butterfly pea tea"), ("ชาใบหม่อน", "mulberry leaf tea"), ("ชามะรุม", "moringa tea")],
     "adjectives": [("ออร์แกนิก", "organic"), ("จากดอยสูง", "highland"), ("อบด้วยมือ", "hand-fired")],
     "tags": [("ชา", "tea"), ("ชาสมุนไพร", "herbal tea")],
     "options": [("100 กรัม", "100 g", 100, 100), ("200 กรัม", "200 g", 200, 185), ("กล่อง 20 ซอง", "box of 20", 60, 80)],
     "price": (90_00, 260_00)},
    {"key": "rice", "category": "rice-grains", "craft": ("ข้าวอินทรีย์", "Organic Rice"),
     "nouns": [("ข้าวกล้อง", "brown rice"), ("ข้าวหอมมะลิ", "jasmine rice"), ("ข้าวไรซ์เบอร์รี่", "riceberry rice"),
               ("ข้าวเหนียวดำ", "black sticky rice"), ("ข้าวกล้องงอก", "germinated brown rice"),
               ("ข้าวหอมนิล", "hom nil rice"), ("ข้าวสังข์หยด", "sangyod rice")],
     "adjectives": [("ปลอดสาร", "pesticide-free"), ("อินทรีย์", "organic"), ("แพ็กสุญญากาศ", "vacuum-packed"),
                    ("สีใหม่", "freshly milled")],
     "tags": [("ข้าว", "rice"), ("ข้าวกล้อง", "brown rice"), ("ปลอดสาร", "pesticide-free")],
     "options": [("1 กิโลกรัม", "1 kg", 1000, 100), ("5 กิโลกรัม", "5 kg", 5000, 460)],
     "price": (60_00, 140_00)},
    {"key": "produce", "category": "fruit-vegetables", "craft": ("ผักผลไม้", "Fruit and Vegetable"),
     "nouns": [("มะนาว", "limes"), ("มะม่วงน้ำดอกไม้", "nam dok mai mangoes"), ("ผักสลัด", "salad greens"),
               ("มังคุด", "mangosteens"), ("ลำไย", "longans"), ("สับปะรดภูแล", "phu lae pineapples"),
               ("กล้วยหอมทอง", "hom thong bananas"), ("อะโวคาโด", "avocados")],
     "adjectives": [("ปลอดสาร", "pesticide-free"), ("เก็บสด", "freshly picked"), ("อินทรีย์", "organic")],
     "tags": [("ผลไม้", "fruit"), ("ผัก", "vegetables"), ("ผลไม้สด", "fresh fruit")],
     "options": [("1 กิโลกรัม", "1 kg", 1000, 100), ("3 กิโลกรัม", "3 kg", 3000, 280)],
     "price": (40_00, 160_00)},
    {"key": "seasoning", "category": "seasonings-sauces", "craft": ("เครื่องปรุง", "Seasoning"),
     "nouns": [("ผงมะนาว", "lime powder"), ("น้ำตาลโตนด", "palm sugar"), ("น้ำตาลมะพร้าว", "coconut sugar"),
               ("กะปิ", "shrimp paste"), ("น้ำปลา", "fish sauce"), ("น้ำพริกเผา", "roasted chilli paste"),
               ("พริกแกงเขียวหวาน", "green curry paste"), ("ซอสมะขาม", "tamarind sauce"), ("น้ำมะนาว", "lime juice")],
     "adjectives": [("แท้ 100%", "100% pure"), ("ไม่ใส่สารกันเสีย", "preservative-free"), ("สูตรโบราณ", "old-recipe")],
     "tags": [("เครื่องปรุง", "seasoning"), ("มะนาว", "lime"), ("น้ำตาล", "sugar")],
     "options": [("ขวด 250 มล.", "250 ml bottle", 380, 100), ("กระปุก 500 กรัม", "500 g tub", 560, 180)],
     "price": (45_00, 150_00)},
    {"key": "snacks", "category": "snacks-dried-fruit", "craft": ("ขนมและของฝาก", "Snack"),
     "nouns": [("กล้วยตาก", "sun-dried bananas"), ("มะม่วงอบแห้ง", "dried mango"), ("ทุเรียนทอด", "durian chips"),
               ("น้ำผึ้งดอกลำไย", "longan honey"), ("ข้าวแต๋น", "rice crackers"), ("ทองม้วน", "coconut rolls"),
               ("มะขามแก้ว", "candied tamarind"), ("ถั่วตัด", "peanut brittle")],
     "adjectives": [("อบน้ำผึ้ง", "honey-baked"), ("ไม่เติมน้ำตาล", "no added sugar"), ("กรอบอร่อย", "crispy")],
     "tags": [("ของฝาก", "gift"), ("ขนม", "snack"), ("ผลไม้อบแห้ง", "dried fruit")],
     "options": [("ถุง 100 กรัม", "100 g bag", 110, 100), ("ถุง 250 กรัม", "250 g bag", 270, 230)],
     "price": (45_00, 250_00)},
    {"key": "herbal", "category": "herbal-wellness", "craft": ("สมุนไพร", "Herbal"),
     "nouns": [("ยาดมสมุนไพร", "herbal inhaler"), ("ลูกประคบ", "herbal compress"), ("ยาหม่องไพล", "phlai balm"),
               ("น้ำมันเหลือง", "yellow herbal oil"), ("สเปรย์ตะไคร้หอม", "citronella spray"),
               ("น้ำมันหอมระเหยตะไคร้", "lemongrass essential oil")],
     "adjectives": [("ตำรับพื้นบ้าน", "folk-recipe"), ("ปลูกเอง", "home-grown"), ("อินทรีย์", "organic")],
     "tags": [("สมุนไพร", "herbal"), ("ไพล", "phlai"), ("ตะไคร้", "lemongrass")],
     "options": [("ชิ้นเดียว", "single", 50, 100), ("แพ็ก 6", "pack of 6", 300, 540)],
     "price": (30_00, 180_00)},
    {"key": "textile", "category": "textiles-clothing", "craft": ("ผ้าทอ", "Weaving"),
     "nouns": [("ผ้าคราม", "indigo cloth"), ("ผ้าไหมมัดหมี่", "mudmee silk"), ("ผ้าฝ้ายทอมือ", "hand-woven cotton"),
               ("ผ้าขาวม้า", "pha khao ma cloth"), ("ผ้าซิ่น", "sarong cloth"), ("เสื้อม่อฮ่อม", "mor hom shirt"),
               ("ผ้าพันคอ", "scarf")],
     "adjectives": [("ย้อมสีธรรมชาติ", "naturally dyed"), ("ทอมือ", "hand-woven"), ("ลายโบราณ", "heritage-pattern")],
     "tags": [("ผ้า", "textile"), ("ผ้าคราม", "indigo"), ("ผ้าไหม", "silk"), ("ผ้าฝ้าย", "cotton")],
     "options": [("ผืนเดียว", "one piece", 250, 100), ("ไซซ์ M", "size M", 260, 100), ("ไซซ์ L", "size L", 280, 105)],
     "price": (250_00, 2500_00)},
    {"key": "handicraft", "category": "handicrafts-home", "craft": ("หัตถกรรม", "Handicraft"),
     "nouns": [("ตะกร้าไม้ไผ่", "bamboo basket"), ("กระเป๋าผักตบชวา", "water hyacinth bag"),
               ("ชามเซรามิก", "ceramic bowl"), ("เครื่องปั้นดินเผา", "earthenware pot"), ("กระติบข้าว", "sticky rice basket"),
               ("โคมไฟกระดาษสา", "mulberry paper lamp"), ("ไม้แกะสลัก", "wood carving")],
     "adjectives": [("จักสานมือ", "hand-woven"), ("เขียนลายมือ", "hand-painted"), ("งานฝีมือ", "crafted")],
     "tags": [("จักสาน", "basketry"), ("เซรามิก", "ceramics"), ("ของแต่งบ้าน", "home decor")],
     "options": [("ขนาดเล็ก", "small", 300, 100), ("ขนาดกลาง", "medium", 600, 150), ("ขนาดใหญ่", "large", 1000, 210)],
     "price": (120_00, 890_00)},
    {"key": "beauty", "category": "beauty-soap", "craft": ("สบู่และเครื่องสำอาง", "Natural Soap"),
     "nouns": [("สบู่นมแพะ", "goat-milk soap"), ("สบู่ขมิ้น", "turmeric soap"), ("โลชั่นว่านหางจระเข้", "aloe vera lotion"),
               ("ครีมมะหาด", "mahat cream"), ("แชมพูมะกรูด", "kaffir lime shampoo"), ("ลิปบาล์มขี้ผึ้ง", "beeswax lip balm")],
     "adjectives": [("ธรรมชาติ", "natural"), ("อ่อนโยน", "gentle"), ("กวนเย็น", "cold-process")],
     "tags": [("สบู่", "soap"), ("ความงาม", "beauty"), ("ธรรมชาติ", "natural")],
     "options": [("ชิ้นเดียว", "single", 110, 100), ("แพ็ก 3", "pack of 3", 330, 270)],
     "price": (59_00, 320_00)},
]

GEN_DESCRIPTIONS_TH: list[str] = [
    "ผลิตโดยสมาชิกวิสาหกิจชุมชนบ้าน{village} จังหวัด{province} ด้วยวัตถุดิบจากในหมู่บ้าน",
    "{noun}{adjective} ทำตามภูมิปัญญาที่ส่งต่อกันมาหลายรุ่นในบ้าน{village}",
    "คัดคุณภาพทีละชิ้นก่อนบรรจุ รายได้ทุกบาทกลับสู่ครอบครัวในชุมชน",
    "เหมาะเป็นของฝากและของใช้ในบ้าน สั่งจำนวนมากสำหรับร้านค้าได้",
    "กลุ่มของเราเข้าร่วมโครงการขยายช่องทางตลาดเพื่อขายตรงถึงผู้ซื้อ",
]
GEN_DESCRIPTIONS_EN: list[str] = [
    "Made by members of the Ban {village} community enterprise in {province}, from ingredients grown in the village.",
    "{adjective} {noun} made with know-how handed down for generations in Ban {village}.",
    "Each piece is checked before packing, and every baht goes back to families in the community.",
    "A good gift and an everyday favourite; shops can order in bulk.",
    "Our group joined the market-channel programme to sell straight to buyers.",
]
