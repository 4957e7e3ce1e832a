#!/usr/bin/env python3
"""Builds the bundled Noto Sans CJK SC subsets.

Usage: python3 make-subset.py [/usr/share/fonts/opentype/noto]

Requires fontTools (pip install fonttools) and the Debian package
fonts-noto-cjk. Writes NotoSansCJKsc-Regular-subset.otf,
NotoSansCJKsc-Bold-subset.otf and charset.txt next to this script.
"""

import glob
import os
import subprocess
import sys

from fontTools.ttLib import TTCollection

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto"
FAMILY = "Noto Sans CJK SC"


def gb2312_chars():
    """Every character of GB2312: symbol rows 0xA1-0xA9 and hanzi rows 0xB0-0xF7."""
    out = []
    rows = list(range(0xA1, 0xAA)) + list(range(0xB0, 0xF8))
    for hi in rows:
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def template_chars():
    chars = set()
    for path in glob.glob(os.path.join(HERE, "..", "templates", "*.typ")):
        with open(path, encoding="utf-8") as f:
            chars.update(f.read())
    return chars


def charset():
    chars = set(chr(c) for c in range(0x20, 0x7F))
    ranges = [
        (0x00A0, 0x00FF),  # Latin-1 supplement (·, ×, °, ÷)
        (0x2010, 0x206F),  # general punctuation (“ ” ‘ ’ — … ‰)
        (0x2100, 0x215F),  # letterlike symbols and number forms (℃, №, Ⅻ)
        (0x2460, 0x24FF),  # enclosed alphanumerics (①)
        (0x3000, 0x303F),  # CJK symbols and punctuation
        (0x3200, 0x32FF),  # enclosed CJK (㈠)
        (0xFE30, 0xFE4F),  # CJK compatibility forms
        (0xFF00, 0xFFEF),  # half-width and full-width forms
    ]
    for lo, hi in ranges:
        chars.update(chr(c) for c in range(lo, hi + 1))
    chars.update(gb2312_chars())
    chars.update(c for c in template_chars() if ord(c) >= 0x80)
    return sorted(chars)


def face_index(path):
    for i, font in enumerate(TTCollection(path).fonts):
        if font["name"].getDebugName(1) == FAMILY:
            return i
    raise SystemExit(f"{FAMILY} not found in {path}")


def main():
    chars = charset()
    text_file = os.path.join(HERE, "charset.txt")
    with open(text_file, "w", encoding="utf-8") as f:
        f.write("".join(chars))
    for weight in ("Regular", "Bold"):
        ttc = os.path.join(SRC, f"NotoSansCJK-{weight}.ttc")
        out = os.path.join(HERE, f"NotoSansCJKsc-{weight}-subset.otf")
        subprocess.run(
            [
                "pyftsubset",
                ttc,
                f"--font-number={face_index(ttc)}",
                f"--text-file={text_file}",
                "--layout-features=*",
                "--name-IDs=*",
                "--name-languages=*",
                "--notdef-outline",
                f"--output-file={out}",
            ],
            check=True,
        )
        print(out, os.path.getsize(out))


if __name__ == "__main__":
    main()
