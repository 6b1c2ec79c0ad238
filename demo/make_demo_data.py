#!/usr/bin/env python3
"""Builds vigil's synthetic demo exports from the text in this file.

Everything here is invented: channel names, people, phone numbers and handles.
The posts imitate the *pattern* of the 2014 sale postings (person + age + price +
contact) in clinical language, beside the hard negatives an analyst also sees
(livestock and car ads with prices and ages, news about trafficking, family
appeals). Images are generated geometric patterns, never photos of people. One
Telegram photo is reposted in the WhatsApp group mirrored, shrunk and
watermarked, as sellers do; a "known photos" folder plays the hash list an NGO
would share (a re-encoded copy of one photo, and the MD5 of another).

Usage: make_demo_data.py EXPORTS_DIR [KNOWN_DIR]
       (needs python3 and cjpeg from libjpeg-turbo-progs)
"""
import hashlib
import json
import math
import os
import random
import struct
import subprocess
import sys
import zipfile
import zlib
from datetime import datetime, timedelta, timezone

LOCAL = timezone(timedelta(hours=3))  # the exporting PC's clock (Baghdad)

# (days after 2014-08-20, author, text) for the Telegram channel.
TELEGRAM_POSTS = [
    (0, "Market Admin", "Welcome. Rules of the channel are in the pinned post."),
    (1, "Seller 1", "For sale: girl, 15 years old, virgin. Price 2000 dollars. Contact @demo_seller_one"),
    (3, "Seller 2", "للبيع سبية عمرها ١٥ سنة السعر ٢٠٠٠ دولار للتواصل +964 750 123 4567"),
    (5, "Seller 1", "Keçikek ji bo firotinê, 16 salî, biha 1500 dolar. Têkilî: @demo_seller_one"),
    (8, "Trader 3", "For sale: Toyota Corolla 2015, engine 3 years old, price 9000 dollars, call 0770 123 4567"),
    (9, "Trader 3", "للبيع خراف عمرها سنتين السعر ٣٠٠ دولار"),
    (12, "News Desk", "Police arrested a man accused of selling women in Mosul, a UN report says."),
    (15, "Seller 2", "جارية للبيع عمرها ١٤ سنة، مزاد يوم الخميس، السعر يبدأ من ١٥٠٠ دولار"),
    (20, "Buyer 4", "Wanted to buy: a girl under 18, will pay in dollars. Message @demo_buyer_four"),
    (34, "Seller 1", "Two women for sale, 20 and 22 years old. Price 3000 dollars each. +964 751 234 5678"),
    (41, "Trader 3", "Samsung phone for sale, 1 year old, price 150 dollars"),
    (47, "Seller 2", "کچێک بۆ فرۆشتن تەمەن ١٤ ساڵ نرخ ٣٠٠٠ دۆلار"),
    (62, "Market Admin", "Payment only in cash or USDT. Wallet TXZc2rq4GZUK1oNe8Wq9cQ2mHkH5PB3AXM"),
    (75, "Seller 1", "للبيع: فتاة عمرها ١٧ سنة. السعر ٢٥٠٠ دولار. تواصل عبر تيليجرام @demo_seller_one"),
    (96, "News Desk", "Court condemns the sale of Yazidi women; families demand the return of the missing."),
    (130, "Seller 2", "ل.ل.ب.ي.ع سبية عمرها ١٦ سنة السعر ١٨٠٠ دولار"),
    (160, "Seller 1", "S@baya for sale, 19 years old, price 2200 $, contact @demo_seller_one"),
    (190, "Trader 3", "Apartment for sale in Duhok, 2 rooms, 5 years old building, price 40000 dollars"),
]

# (days after 2014-09-01, minutes, author, text, attachment) for the WhatsApp group.
WHATSAPP_POSTS = [
    (0, 600, "+964 750 555 0101", "Salam, is the group still active?", None),
    (1, 615, "Family Contact", "Missing: my sister, 17 years old, last seen in Sinjar on 3 August 2014. "
     "Please call +964 750 555 0199 if you see her.", None),
    (2, 630, "+964 750 555 0102", "للبيع سبية عمرها ١٨ سنة السعر ١٢٠٠ دولار للتواصل ٠٧٥١٢٣٤٥٦٧٨", "IMG-20140903-WA0001.jpg"),
    (4, 700, "Family Contact", "مفقودة: أختي عمرها ١٦ سنة، فقدت في سنجار. الرجاء المساعدة في البحث عنها", None),
    (6, 900, "+964 750 555 0102", "Girl for sale, 14 years old. Price 1500 dollars. Send to @demo_seller_two", "IMG-20140907-WA0002.jpg"),
    (9, 1000, "+964 750 555 0101", "Selling 3 sheep, 2 years old, 250 dollars each", None),
    (31, 720, "Family Contact", "Em li xwişka xwe digerin, winda ye ji 2014, 15 salî. Ji kerema xwe alîkariyê bikin.", None),
    (40, 800, "+964 750 555 0102", "Woman for sale, 25 years old, price 1000 dollars, contact\n+964 751 234 5678", None),
]

IMAGES = {  # name -> (width, height, seed)
    "photo_1.jpg": (640, 480, 1),
    "photo_2.jpg": (800, 600, 2),
    "IMG-20140903-WA0001.jpg": (720, 960, 3),
}


def pattern(w, h, seed):
    """A deterministic abstract picture: soft coloured blobs over a gradient, RGB
    rows. Smooth shapes spread PDQ's energy over many frequencies, as photos do,
    so its hash is stable under re-encoding and resizing."""
    rnd = random.Random(seed)
    blobs = []
    for i in range(40):
        cx, cy = rnd.uniform(0, w), rnd.uniform(0, h)
        size = 0.25 if i < 8 else 0.07
        sx, sy = rnd.uniform(0.4, 1) * size * w, rnd.uniform(0.4, 1) * size * h
        colour = [rnd.uniform(-160, 160) for _ in range(3)]
        gx = [math.exp(-((x - cx) / sx) ** 2) for x in range(w)]
        gy = [math.exp(-((y - cy) / sy) ** 2) for y in range(h)]
        blobs.append((gx, gy, colour))
    base = [rnd.uniform(60, 190) for _ in range(3)]
    rows = []
    for y in range(h):
        acc = [[base[c] + 40.0 * y / h] * w for c in range(3)]
        for gx, gy, colour in blobs:
            wy = gy[y]
            if wy < 1e-3:
                continue
            for c in range(3):
                k = colour[c] * wy
                a = acc[c]
                for x in range(w):
                    a[x] += k * gx[x]
        row = bytearray(3 * w)
        for c in range(3):
            row[c::3] = bytes(min(255, max(0, int(v))) for v in acc[c])
        rows.append(bytes(row))
    return rows


def write_jpeg(path, w, h, seed, rows=None, quality=88):
    rows = rows if rows is not None else pattern(w, h, seed)
    ppm = path + ".ppm"
    with open(ppm, "wb") as f:
        f.write(b"P6\n%d %d\n255\n" % (w, h))
        for row in rows:
            f.write(row)
    subprocess.run(["cjpeg", "-quality", str(quality), "-outfile", path, ppm], check=True)
    os.remove(ppm)


def repost_of(w, h, seed):
    """The photo as a seller reposts it: mirrored, shrunk to 3/4, watermarked.
    Returns (width, height, rows)."""
    rows = [bytes(b for x in range(w - 1, -1, -1) for b in row[3 * x:3 * x + 3])
            for row in pattern(w, h, seed)]
    nw, nh = w * 3 // 4, h * 3 // 4
    small = []
    for y in range(nh):
        src = rows[y * h // nh]
        small.append(bytearray(b for x in range(nw) for b in src[3 * (x * w // nw):3 * (x * w // nw) + 3]))
    for y in range(nh - 34, nh - 14):  # a half-transparent banner with marks, bottom right
        for x in range(nw - 130, nw - 12):
            ink = 40 if (y - nh + 28) in range(4, 10) and (x // 7) % 2 == 0 else 250
            for c in range(3):
                small[y][3 * x + c] = (small[y][3 * x + c] + ink) // 2
    return nw, nh, [bytes(r) for r in small]


def write_png(path, w, h, seed):
    raw = b"".join(b"\x00" + row for row in pattern(w, h, seed))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 6)))
        f.write(chunk(b"IEND", b""))


def telegram_export(root):
    chan = os.path.join(root, "telegram", "Demo Market Channel")
    os.makedirs(os.path.join(chan, "photos"), exist_ok=True)
    start = datetime(2014, 8, 20, 9, 30, tzinfo=LOCAL)
    messages = [{
        "id": 1, "type": "service", "date": start.strftime("%Y-%m-%dT%H:%M:%S"),
        "date_unixtime": str(int(start.timestamp())), "actor": "Market Admin",
        "actor_id": "channel1000000001", "action": "create_channel", "title": "Demo Market Channel",
        "text": "", "text_entities": [],
    }]
    for i, (days, author, text) in enumerate(TELEGRAM_POSTS, start=2):
        t = start + timedelta(days=days, minutes=17 * i)
        m = {
            "id": i, "type": "message", "date": t.strftime("%Y-%m-%dT%H:%M:%S"),
            "date_unixtime": str(int(t.timestamp())), "from": author,
            "from_id": "user%d" % (5001 + sorted({a for _, a, _ in TELEGRAM_POSTS}).index(author)),
            "text": text, "text_entities": [{"type": "plain", "text": text}],
        }
        if "@demo_" in text:  # Telegram splits mentions out as entities
            parts, entities = [], []
            for word in text.split(" "):
                w = word.rstrip(".,")
                if w.startswith("@demo_"):
                    parts.append({"type": "mention", "text": w})
                    rest = word[len(w):] + " "
                    parts.append(rest)
                else:
                    parts.append(word + " ")
            merged = []
            for p in parts:
                if isinstance(p, str) and merged and isinstance(merged[-1], str):
                    merged[-1] += p
                else:
                    merged.append(p)
            if isinstance(merged[-1], str):
                merged[-1] = merged[-1].rstrip(" ")
            merged = [p for p in merged if p != ""]
            m["text"] = merged
            m["text_entities"] = [p if isinstance(p, dict) else {"type": "plain", "text": p}
                                  for p in merged if p != ""]
        if i == 3:
            m["photo"] = "photos/photo_1.jpg"
            m["width"], m["height"] = 640, 480
        if i == 4:
            m["photo"] = "photos/photo_2.jpg"
            m["width"], m["height"] = 800, 600
        if i == 6:
            m["photo"] = "(File not included. Change data exporting settings to download.)"
        if i == 10:
            m["reply_to_message_id"] = 9
        if i == 11:
            m["edited"] = t.strftime("%Y-%m-%dT%H:%M:%S")
            m["edited_unixtime"] = str(int(t.timestamp()) + 600)
        if i == 16:
            m["forwarded_from"] = "Other Demo Channel"
        messages.append(m)
    export = {"name": "Demo Market Channel", "type": "public_channel", "id": 1000000001,
              "messages": messages}
    with open(os.path.join(chan, "result.json"), "w", encoding="utf-8") as f:
        json.dump(export, f, ensure_ascii=False, indent=1)
    write_jpeg(os.path.join(chan, "photos", "photo_1.jpg"), *IMAGES["photo_1.jpg"])
    write_jpeg(os.path.join(chan, "photos", "photo_2.jpg"), *IMAGES["photo_2.jpg"])


def whatsapp_export(root):
    os.makedirs(os.path.join(root, "whatsapp"), exist_ok=True)
    lines = ["01/09/2014, 09:58 - Messages and calls are end-to-end encrypted. "
             "No one outside of this chat, not even WhatsApp, can read or listen to them.",
             "01/09/2014, 09:59 - +964 750 555 0101 created group \"Demo Trade Group\""]
    base = datetime(2014, 9, 1)
    for days, minutes, author, text, attachment in WHATSAPP_POSTS:
        t = base + timedelta(days=days, minutes=minutes)
        stamp = t.strftime("%d/%m/%Y, %H:%M")
        if attachment:  # Android puts the caption on the lines after the attachment
            lines.append("%s - %s: %s (file attached)" % (stamp, author, attachment))
            lines.extend(text.split("\n"))
        else:
            first, *rest = text.split("\n")
            lines.append("%s - %s: %s" % (stamp, author, first))
            lines.extend(rest)
    tmp = os.path.join(root, "whatsapp", ".build")
    os.makedirs(tmp, exist_ok=True)
    write_jpeg(os.path.join(tmp, "IMG-20140903-WA0001.jpg"), *IMAGES["IMG-20140903-WA0001.jpg"])
    # The Telegram channel's first photo, reposted here by another seller.
    w, h, rows = repost_of(*IMAGES["photo_1.jpg"])
    write_jpeg(os.path.join(tmp, "IMG-20140907-WA0002.jpg"), w, h, 0, rows=rows, quality=75)
    zpath = os.path.join(root, "whatsapp", "WhatsApp Chat with Demo Trade Group.zip")
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("WhatsApp Chat with Demo Trade Group.txt", "\n".join(lines) + "\n")
        for name in ("IMG-20140903-WA0001.jpg", "IMG-20140907-WA0002.jpg"):
            z.write(os.path.join(tmp, name), name)
            os.remove(os.path.join(tmp, name))
    os.rmdir(tmp)


def known_photos(exports, known):
    """What an NGO already holds: its own JPEG of the WhatsApp group's first
    photo (same picture, other encoder settings), and the MD5 of a Telegram photo."""
    os.makedirs(known, exist_ok=True)
    write_jpeg(os.path.join(known, "ngo-copy-1.jpg"), *IMAGES["IMG-20140903-WA0001.jpg"], quality=60)
    photo = os.path.join(exports, "telegram", "Demo Market Channel", "photos", "photo_2.jpg")
    with open(photo, "rb") as f:
        digest = hashlib.md5(f.read()).hexdigest()
    with open(os.path.join(known, "known-md5.txt"), "w") as f:
        f.write("md5 %s\n" % digest)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    telegram_export(out)
    whatsapp_export(out)
    if len(sys.argv) == 3:
        known_photos(out, sys.argv[2])
    print(out)


if __name__ == "__main__":
    main()
