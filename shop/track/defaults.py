"""The default checklist of each stage (docs/product.md: Expansion track), in order:
``(stage, rule or None, label in Thai, label in English)``.

The migration that made the checklist tables wrote the same rows; ``ensure_checklist``
writes them into a database that has no item at all (one built by ``create_all``, as
the tests do). Staff edit the list afterwards; nothing here overwrites their changes.
"""

from __future__ import annotations

DEFAULT_ITEMS: tuple[tuple[str, str | None, str, str], ...] = (
    ("foundation", "story_photos", "เล่าเรื่องราวของกลุ่มและมีรูปภาพ", "The enterprise's story and photos"),
    ("foundation", "cost_sheets", "ทำต้นทุนครบทุกตัวเลือกที่วางขาย", "A cost sheet for every option on sale"),
    ("foundation", "prices_above_cost", "ตั้งราคาสูงกว่าต้นทุน", "Prices above cost"),
    ("foundation", "promptpay", "มีพร้อมเพย์สำหรับรับเงิน", "A PromptPay ID"),
    ("advancing", "standards_numbers", "มีเลข อย. หรือ มผช. ในสินค้าที่ต้องมี",
     "Thai FDA (อย.) or community product standard (มผช.) numbers where they apply"),
    ("advancing", "gtin13", "มีบาร์โค้ด GTIN-13 ทุกตัวเลือก", "GTIN-13 barcodes on every option"),
    ("advancing", "packaging_spec", "ระบุน้ำหนัก อายุการเก็บ และจำนวนต่อลัง",
     "Weight, shelf life and case pack on every option"),
    ("advancing", "retail_ready", "มีสินค้าพร้อมขายส่งอย่างน้อยหนึ่งรายการ", "At least one retail-ready product"),
    ("networking", "online_sale", "ขายออนไลน์ได้ครั้งแรก", "A first online sale"),
    ("networking", "channel_feeds", "ใช้ฟีดสินค้าบนช่องทางโซเชียล", "Channel feeds in use"),
    ("networking", "retail_order", "ได้คำสั่งซื้อแรกจากผู้ซื้อธุรกิจ", "A first order from a retail buyer"),
    ("networking", "quote_answered", "ตอบใบเสนอราคาครั้งแรก", "A first quote answered"),
    ("expansion", None, "ออกงานแสดงสินค้าหรืองานโชว์", "A fair or showcase attended"),
    ("expansion", "experience_offered", "เปิดให้เยี่ยมชุมชนหรือจัดกิจกรรมท่องเที่ยวชุมชน",
     "A community visit or experience offered"),
    ("expansion", "repeat_retail_buyers", "มีผู้ซื้อธุรกิจสั่งซ้ำ", "Repeat retail buyers"),
)
