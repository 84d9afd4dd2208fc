"""Normalisation shared by every name people type: case, glued letters and digits, brackets.

Both sides of a lookup (what was typed, and every catalog name and alias) go through the same
functions, so "rtx5090", "RTX-5090" and "RTX 5090" become the same tokens without a table of
spellings.
"""

from __future__ import annotations

import re
import unicodedata

# Trademark marks and the "(R)"/"(TM)" of driver strings ("Intel(R) Arc(TM) A770 Graphics").
_MARKS_RE = re.compile(r"[™®©]|\((?:r|tm|c)\)", re.IGNORECASE)
# A run of letters or of digits (a decimal point kept inside digits: "3.3", "0.5").
# Unicode hyphens and dashes (Apple's store pages write "40‑core GPU" with U+2011, word
# processors turn "-" into "–"): read as "-".
_DASHES_RE = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
_RUN_RE = re.compile(r"[a-z]+|\d+(?:\.\d+)?")
# A letter of a script other than Latin (Greek, Cyrillic, Han, kana, Hangul: a letter that is
# neither ASCII nor in Latin-1 / Latin Extended), and its boundary with an ASCII letter or digit.
_OTHER = r"[^\W\d_a-zA-Z\u00c0-\u036f]"
_OTHER_SCRIPT_RE = re.compile(_OTHER)
_GLUED_SCRIPTS_RE = re.compile(rf"(?<={_OTHER})(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?={_OTHER})")


def clean(text: str) -> str:
    """Lower-case, trademark marks gone, unicode dashes as '-', whitespace collapsed; other
    scripts' digits and full-width forms as ASCII (see ``ascii_forms``)."""
    text = _MARKS_RE.sub(" ", text)
    if not text.isascii():
        text = ascii_forms(text)
        # Letters of a script other than Latin glued to ASCII letters or digits are words of
        # their own: Chinese and Japanese write no spaces ("显存16G的4060Ti" is 显存 16G 的
        # 4060Ti), Russian glues units ("16ГБ").
        if _OTHER_SCRIPT_RE.search(text):
            text = _GLUED_SCRIPTS_RE.sub(" ", text)
    return " ".join(_DASHES_RE.sub("-", text).lower().split())


def ascii_forms(text: str) -> str:
    """Compatibility forms as their plain letters (Unicode NFKC: a Japanese or Chinese
    keyboard's full-width "ＲＴＸ　４０９０", "８B"), and every script's decimal digits as ASCII
    digits (Arabic-Indic "٤٠٩٠", Persian "۴۰۹۰", Devanagari "४०९०": Unicode category Nd,
    read by ``unicodedata.decimal`` as Python's int() reads them)."""
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():
        return text
    return "".join(str(d) if (d := unicodedata.decimal(c, None)) is not None else c for c in text)


def split_runs(word: str) -> list[str]:
    """'rx7900xtx' → ['rx', '7900', 'xtx']; 'qwen2.5' → ['qwen', '2.5']."""
    return _RUN_RE.findall(word)


def words(text: str) -> list[str]:
    """Split on anything that is not a letter, digit, '.' or '+' ('max+' keeps its plus)."""
    return [w for w in re.split(r"[^a-z0-9.+]+", text) if w]


def glued_groups(text: str, *, keep_decimals: bool = True) -> list[list[str]]:
    """Each typed word as its runs of letters and digits: 'rtx5090 ti' → [['rtx','5090'],['ti']].

    A '+' becomes the word 'plus' ('Max+ 395' and 'Max Plus 395' are one name). A '.'
    between digits stays (a version such as 3.3) unless ``keep_decimals`` is false.
    """
    groups: list[list[str]] = []
    for word in words(text):
        word = word.replace("+", " plus ")
        for part in word.split():
            runs = split_runs(part) if keep_decimals else re.findall(r"[a-z]+|\d+", part)
            if runs:
                groups.append(runs)
    return groups


# A possessive ("OpenAI's gpt-oss 20B") and Turkish case endings written after an apostrophe
# on a name ("Llama 3.1 70B'yi", "Qwen3'ü", "8B'de": Turkish writes a proper noun's or a
# number's suffix so, TDK's spelling rules) are not words of the name.
NAME_SUFFIX_RE = re.compile(
    r"(?<=[A-Za-z])['’]s(?![A-Za-z0-9])"
    r"|(?<=[A-Za-z0-9])['’](?:y?[ıiuü]|n?[ıiuü]n|y?[ae]|[dt][ae]|[dt][ae]n|l[ae]r)(?![\w])"
)
