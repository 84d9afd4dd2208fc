"""Other languages' words in a typed device name, read as the English ones runlocal.resolve.
hardware_reading knows: a laptop, a number of cards, gigabytes.

Used before the name is split into words; a word of another language is looked for only where
the text holds one of its letters (other_language_words), as a name is read in microseconds.
"""

from __future__ import annotations

import re

# Gigabytes written the French way ("16 Go", gigaoctet) or in Cyrillic ("8 ГБ", гигабайт)
# after a memory size of at most three digits ("3090 go" is no size).
OTHER_GB_RE = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d+)?)\s*(?:go|гб)(?![\w])")


# Other languages' words for a laptop (the word "laptop" read below: a GPU named beside it is
# the laptop GPU): Spanish and Portuguese "portátil", Italian "portatile", French "(ordinateur)
# portable", Russian "ноутбук", Chinese 笔记本 / 筆電 / 游戏本 ("gaming notebook"), Japanese ノートPC /
# ノートパソコン, Korean 노트북. Checked against each language's own listings (Amazon.es, .fr,
# .co.jp, JD.com, Yandex Market titles say "Portátil gaming", "PC portable", "ノートPC", "游戏本").
# Session 16 names5 adds Turkish "dizüstü (bilgisayar)" ("on the knee": Hepsiburada and
# Trendyol titles say "Dizüstü Bilgisayar"), Arabic لابتوب / حاسوب محمول ("carried computer"),
# Hindi लैपटॉप and Polish "laptop" (the English word; "laptopa", "laptopie" inflected).
_LAPTOP_WORDS_RE = re.compile(
    r"(?<![a-z])(?:portátil(?:es)?|portatil(?:es)?|portatile|(?:ordinateur|pc)\s+portable"
    r"|dizüstü(?:\s+bilgisayar\w*)?|laptop(?:a|ie|y|ów)?)(?![a-z])"
    r"|ноутбук[а-я]*|笔记本(?:电脑)?|筆記型電腦|筆記本|筆電|笔电|游戏本|遊戲本|ノート\s*pc|ノートパソコン|노트북"
    r"|لابتوب|لاب\s*توب|حاسوب\s+محمول|लैपटॉप"
)
# Other languages' count words before a model number: Chinese counts cards with a measure
# word, "两张 3090" / "双卡 3090" (two cards, dual cards: 张, 块 and 卡 are the counters for flat
# things and cards), Japanese with 枚 after the number ("3090 2枚"), and Spanish, Portuguese,
# German, French and Russian spell two to four ("dos 3090", "zwei 3090", "две 3090").
# Session 16 names5: Polish "dwie/dwa" (two, feminine "karty" and masculine), "trzy", "cztery";
# Turkish "iki", "üç", "dört", with or without "adet" (pieces: "iki adet RTX 3090", "2 adet");
# Korean counts like Japanese, a native number or digits and the counter 장 (flat things, cards)
# or 개 (items) after the card ("RTX 3090 두 장", "3090 2개"): 두 two, 세 three, 네 four.
_HAN_COUNT = {"单": "single", "單": "single", "两": "two", "兩": "two", "二": "two", "双": "dual"}
_HAN_COUNT |= {"雙": "dual", "三": "three", "四": "four", "六": "six", "八": "eight"}
_HAN_COUNT_RE = re.compile(r"([单單两兩二双雙三四六八])\s*(?:张|張|块|塊|卡)")
_KANA_COUNT_RE = re.compile(r"(\d{1,2})\s*枚(?:\s*の)?")  # "4枚の": "four of"
_HANGUL_NUMBERS = {"두": "2", "세": "3", "네": "4"}
_HANGUL_COUNT_RE = re.compile(r"(?<![가-힣])(\d{1,2}|두|세|네)\s*(?:장|개)(?:\s*의)?(?![가-힣])")
_FOREIGN_COUNT = {"dos": "two", "dois": "two", "duas": "two", "zwei": "two", "deux": "two"}
_FOREIGN_COUNT |= {"два": "two", "две": "two", "tres": "three", "três": "three"}
_FOREIGN_COUNT |= {"drei": "three", "trois": "three", "три": "three", "cuatro": "four"}
_FOREIGN_COUNT |= {"quatro": "four", "vier": "four", "quatre": "four", "четыре": "four"}
_FOREIGN_COUNT |= {"dwie": "two", "dwa": "two", "trzy": "three", "cztery": "four"}
_FOREIGN_COUNT |= {"iki": "two", "üç": "three", "dört": "four"}
# "a pair of 3090s": two.
_PAIR_RE = re.compile(r"(?<![\w-])(?:a\s+)?pair\s+of\s+")
# (Turkish "adet", pieces, and Polish "karty"/"kart", cards, between the count and the card)
_FOREIGN_COUNT_RE = re.compile(
    r"(?<![\w-])(" + "|".join(_FOREIGN_COUNT) + r")\s+(?:adet\s+|kart[ya]?\s+)?"
    r"(?=(?:[a-z]+\s+){0,2}[a-z-]*\d)"
)
_ADET_RE = re.compile(r"(?<![\w.])(\d{1,2})\s+adet\s+")  # Turkish "2 adet RTX 3090"

# What other_languages looks for in an ASCII text (any text with other letters is read).
other_language_words = (
    "portat",
    "portable",
    "pair",
    "dos",
    "dois",
    "duas",
    "zwei",
    "deux",
    "tres",
    "drei",
    "trois",
    "cuatro",
    "quatr",
    "vier",
    "laptop",
    "dw",
    "trzy",
    "cztery",
    "iki",
    "adet",
)


def other_languages(s: str) -> str:
    """Laptop and count words of other languages as the English ones this reader knows."""
    s = _LAPTOP_WORDS_RE.sub(" laptop ", s)
    if not s.isascii():
        s = _HAN_COUNT_RE.sub(lambda m: f" {_HAN_COUNT[m.group(1)]} ", s)
        s = _KANA_COUNT_RE.sub(lambda m: f" x{m[1]} " if s[: m.start()].strip() else f"{m[1]}x ", s)
        s = _HANGUL_COUNT_RE.sub(
            lambda m: (
                f" x{_HANGUL_NUMBERS.get(m[1], m[1])} "
                if s[: m.start()].strip()
                else f"{_HANGUL_NUMBERS.get(m[1], m[1])}x "
            ),
            s,
        )
    s = _PAIR_RE.sub("two ", s)
    s = _FOREIGN_COUNT_RE.sub(lambda m: f"{_FOREIGN_COUNT[m.group(1)]} ", s)
    if "adet" in s:
        s = _ADET_RE.sub(r"\1x ", s)
    return " ".join(s.split())
