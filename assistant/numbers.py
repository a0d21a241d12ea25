"""Numbers in Chinese report text: find them, read them, normalise them for comparison.

Pure functions, no I/O. Every mention keeps its exact span and written form (the user's "50.12万人"
and "99.91％" are what goes into the text); `number` is the value in the base unit, so that
1.2万 == 12000, 2.3亿元 == 23000万元 and 99.85％ == 99.85% compare equal.

What counts as a figure (the rule the tracer relies on):
- Arabic numbers are figures, except heading/list markers at a line start ("1." "（2）"), ordinals
  ("第3批"), parts of codes next to Latin letters ("5G", "COVID-19"), and numbers inside a short quoted
  name ("“6个体系”", "“XX15分钟服务圈”") unless the number is an amount or a rate.
- Years, months and days are `date` mentions (checked against the request, not the figures).
- Chinese numerals are figures only when they read as a count with a measure word: a numeral with
  十/百/千/万/亿 or a 余/多 qualifier ("三千余人", "二十余次"), or 二…九/两 with a strong counting unit
  ("两家", "三名", "五场"). So 一是, （三）, 第一, 三会一课, 四个意识, 两个维护, 八项规定, 两定单位,
  三重保障 are not figures; a lone 一 never is ("一件事", "一批").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Full-width forms map one-to-one onto ASCII, so spans in the normalised copy are spans in the original.
_WIDTH = str.maketrans("０１２３４５６７８９％．～－﹪", "0123456789%.~-%")


def to_halfwidth(text: str) -> str:
    """Full-width digits, ％, ．, ～ and － to ASCII; same length as the input."""
    return text.translate(_WIDTH)


# --- units -------------------------------------------------------------------

# Written unit (after any 万/亿 multiplier) -> base unit used for comparison.
_UNITS: dict[str, str] = {
    "个百分点": "pp",
    "百分点": "pp",
    "%": "%",
    "‰": "‰",
    "人次": "人次",
    "人": "人",
    "名": "人",
    "户": "户",
    "家": "家",
    "个月": "个月",
    "个": "个",
    "件": "件",
    "项": "项",
    "种": "种",
    "类": "类",
    "场": "场",
    "次": "次",
    "所": "所",
    "支": "支",
    "批": "批",
    "条": "条",
    "篇": "篇",
    "期": "期",
    "份": "份",
    "颗": "颗",
    "例": "例",
    "起": "起",
    "笔": "笔",
    "张": "张",
    "台": "台",
    "辆": "辆",
    "套": "套",
    "座": "座",
    "床": "床",
    "间": "间",
    "元": "元",
    "倍": "倍",
    "周年": "周年",
    "小时": "小时",
    "分钟": "分钟",
    "天": "天",
    "日": "日",
    "年": "年",
    "月": "月",
    "岁": "岁",
    "公里": "公里",
    "平方米": "平方米",
    "亩": "亩",
    "吨": "吨",
    "字": "字",
    "期次": "期次",
    "面": "面",
    "封": "封",
    "处": "处",
    "组": "组",
    "队": "队",
    "轮": "轮",
    "门": "门",
    "位": "人",
}
_UNIT_ALT = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_MULT = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1_000), "百万": Decimal(1_000_000)}
# Units a single small Chinese numeral (二…九, 两) must carry to count as a figure.
_STRONG_CN_UNITS = {
    "人",
    "人次",
    "名",
    "家",
    "件",
    "户",
    "场",
    "所",
    "篇",
    "期",
    "例",
    "起",
    "颗",
    "元",
    "天",
    "次",
    "位",
}

PREFIX_QUALIFIERS = ("超过", "不足", "不到", "接近", "将近", "约", "近", "超", "逾")
SUFFIX_QUALIFIERS = ("以上", "以内", "以下", "左右", "余", "多")


def base_unit(unit: str) -> str:
    """ "万人" -> "人", "亿元" -> "元", "％" -> "%", "个百分点" -> "pp", "" -> ""."""
    u = to_halfwidth(unit).strip()
    for m in ("百万", "万", "亿", "千"):
        if u.startswith(m) and u[len(m) :] in _UNITS:
            u = u[len(m) :]
            break
    return _UNITS.get(u, u)


def unit_scale(unit: str) -> Decimal:
    u = to_halfwidth(unit).strip()
    for m in ("百万", "万", "亿", "千"):
        if u.startswith(m) and u[len(m) :] in _UNITS:
            return _MULT[m]
    return Decimal(1)


def units_compatible(a: str, b: str) -> bool:
    """Base units agree, or one side carries no unit (a bare "99.91" may stand for 99.91％)."""
    return not a or not b or a == b


# --- Chinese numerals -------------------------------------------------------------

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}


def parse_chinese_int(s: str) -> int | None:
    """ "三千" -> 3000, "两" -> 2, "十二" -> 12, "一百零五" -> 105, "二〇二四" -> 2024; None if not a numeral."""
    if not s:
        return None
    if all(c in _CN_DIGITS for c in s) and len(s) > 1:
        return int("".join(str(_CN_DIGITS[c]) for c in s))  # digit by digit: 二〇二四
    total, section, digit = 0, 0, None
    for c in s:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        elif c in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[c]
            digit = None
        elif c in _CN_BIG:
            section += digit or 0
            total = (total + section) * _CN_BIG[c] if c == "亿" else total + section * _CN_BIG[c]
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def int_to_cn(n: int) -> str:
    """3 → "三", 10 → "十", 12 → "十二", 20 → "二十" (heading numbers stay below 100)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def parse_decimal(s: str) -> Decimal | None:
    """Arabic ("1,234.5", full-width too) or Chinese ("三千") numeral to Decimal."""
    t = to_halfwidth(s).replace(",", "").replace("，", "").strip()
    if not t:
        return None
    try:
        return Decimal(t)
    except InvalidOperation:
        n = parse_chinese_int(t)
        return Decimal(n) if n is not None else None


def decimals_of(value_text: str) -> int:
    t = to_halfwidth(value_text)
    return len(t.split(".", 1)[1]) if "." in t else 0


def fmt_decimal(d: Decimal, places: int = 2) -> str:
    """Round half up to `places`, drop trailing zeros: 12.50 -> "12.5", 3.00 -> "3"."""
    q = (
        d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if places > 0
        else d.quantize(Decimal(1))
    )
    s = format(q, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


# --- finding mentions --------------------------------------------------------------

MentionKind = str  # "figure" | "date" | "heading" | "ordinal" | "concept" | "code"


@dataclass(frozen=True)
class Mention:
    """One number in a text, with its span (qualifiers and unit included)."""

    start: int
    end: int
    text: str  # exact original substring: "约10609.96万元", "49.29万余人", "92％以上"
    value: str  # the numeral as written: "49.29", "三千"
    unit: str  # unit as written, multiplier included: "万人", "％", "个百分点", ""
    number: Decimal  # in the base unit: 492900
    base: str  # "人", "元", "%", "pp", "" …
    qualifier: str = ""  # "约", "余", "以上", "超…以上" is "超|以上"
    kind: MentionKind = "figure"
    chinese: bool = False
    years: tuple[int, ...] = ()  # for dates
    months: tuple[int, ...] = ()
    days: tuple[int, ...] = ()

    @property
    def decimals(self) -> int:
        return decimals_of(self.value)


_NUM = r"(?:[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?)"
_CN = r"(?:[零〇一二两三四五六七八九十百千万亿]+)"
_PRE = "|".join(PREFIX_QUALIFIERS)
_SUF1 = r"(?:余|多)"
_SUF2 = r"(?:以上|以内|以下|左右)"
_MENTION_RE = re.compile(
    rf"(?P<pre>{_PRE})?"
    rf"(?:(?P<pct>百分之)(?P<pnum>{_NUM}|{_CN})"
    rf"|(?P<num>{_NUM})|(?P<cn>{_CN}))"
    rf"(?P<q1>{_SUF1})?(?P<mult>百万|万|亿|千)?(?P<q2>{_SUF1})?"
    rf"(?P<unit>{_UNIT_ALT})?(?P<q3>{_SUF2})?"
)
# A date: 2024年10月底, 2023年度, 1－9月, 9月底, 10月15日, 二〇二四年.
_DATE_RE = re.compile(
    r"(?:(?P<y>(?:19|20)[0-9]{2}|[一二〇零][〇零一二三四五六七八九]{3})年(?:度|底|末|初)?)?"
    r"(?:(?P<m1>[0-9]{1,2})(?:月)?[-~至到](?=[0-9]{1,2}月))?"
    r"(?:(?P<m>[0-9]{1,2}|十[一二]?|[一二三四五六七八九])月(?!份?[0-9])(?:份|底|末|初|中旬|上旬|下旬)?)?"
    r"(?:(?P<d>[0-9]{1,2})[日号])?"
)
_QUOTE_PAIRS = (("“", "”"), ("「", "」"), ('"', '"'), ("‘", "’"))


def _latin(c: str) -> bool:
    """A Latin letter glued to a number makes it a code (5G, COVID-19); "XX" is the seeds' name mask."""
    return len(c) == 1 and c.isascii() and c.isalpha() and c not in "Xx"


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _in_short_quote(text: str, start: int, end: int, limit: int = 15) -> bool:
    for open_q, close_q in _QUOTE_PAIRS:
        o = text.rfind(open_q, max(0, start - limit), start)
        if o < 0:
            continue
        if open_q != close_q and text.find(close_q, o + 1, start) >= 0:
            continue
        c = text.find(close_q, end, end + limit)
        if c >= 0 and c - o - 1 <= limit and "\n" not in text[o:c]:
            return True
    return False


# A bare year where a quantity belongs ("参保人数为2024年，", "节约费用约2024年元"): a small model
# fills a figure's slot with the request's year. It is then a number like any other (traced, flagged).
_VALUE_BEFORE = re.compile(r"(?:为|达|达到|共|共计|累计|合计|计|约|近|超过|总数|人数|金额)$")
_VALUE_AFTER = re.compile(r"(?:[，。；、）)\n]|$|[元人家次个件项场份户名所万亿%％])")


def _year_as_value(norm: str, m: re.Match[str]) -> bool:
    if not m.group("y") or m.group("m") or m.group("d") or m.group(0) != m.group("y") + "年":
        return False
    return bool(_VALUE_BEFORE.search(norm[max(0, m.start() - 4) : m.start()])) and bool(
        _VALUE_AFTER.match(norm, m.end())
    )


def _date_mentions(src: str, norm: str) -> list[Mention]:
    out: list[Mention] = []
    for m in _DATE_RE.finditer(norm):
        if m.start() == m.end() or not (m.group("y") or m.group("m")):
            continue
        if m.group("y") is None and m.group("m") is None:
            continue
        # "9月" must not be part of a larger number ("19月" does not exist) nor a duration ("3个月").
        if m.start() > 0 and norm[m.start() - 1].isdigit():
            continue
        years = (int(parse_decimal(m.group("y")) or 0),) if m.group("y") else ()
        months: tuple[int, ...] = ()
        if m.group("m"):
            mm = int(parse_decimal(m.group("m")) or 0)
            months = (int(m.group("m1")), mm) if m.group("m1") else (mm,)
            if not all(1 <= x <= 12 for x in months):
                continue
        days = (int(m.group("d")),) if m.group("d") else ()
        # A bare Chinese month ("三月") only when it is really a month: skip "一月" inside words? keep.
        out.append(
            Mention(
                start=m.start(),
                end=m.end(),
                text=src[m.start() : m.end()],
                value=m.group("y") or m.group("m") or "",
                unit="",
                number=Decimal(years[0] if years else months[-1]),
                base="",
                kind="figure" if _year_as_value(norm, m) else "date",
                years=years,
                months=months,
                days=days,
            )
        )
    return out


def find_numbers(text: str) -> list[Mention]:
    """Every number in `text`, in order, with a kind; callers keep the kinds they care about."""
    norm = _CN_WORD_NUMERAL.sub("□", to_halfwidth(text))
    dates = _date_mentions(text, norm)
    taken = [(d.start, d.end) for d in dates]
    out: list[Mention] = list(dates)
    for m in _MENTION_RE.finditer(norm):
        num_txt = m.group("num") or m.group("cn") or m.group("pnum")
        if not num_txt:
            continue
        s, e = m.start(), m.end()
        # Dates win over the generic pattern where they overlap.
        if any(a < e and s < b for a, b in taken):
            inner = [(a, b) for a, b in taken if a < e and s < b]
            # A figure that starts after a date part ("2024年50.12万人" never overlaps) is rare; drop overlap.
            if any(a <= s for a, _ in inner):
                continue
            e = min(a for a, _ in inner)
            if e <= s:
                continue
            sub = _MENTION_RE.match(norm, s, e)
            if not sub or not (sub.group("num") or sub.group("cn") or sub.group("pnum")):
                continue
            m = sub
            s, e = m.start(), m.end()
            num_txt = m.group("num") or m.group("cn") or m.group("pnum")
        mention = _build(text, norm, m)
        if mention is not None:
            out.append(mention)
    out.sort(key=lambda x: (x.start, -x.end))
    return out


# Words ending in a numeral character: that character is masked before numbers are looked for, so
# 唯一一家 is not read as the numeral 一一 (the next 一家 is then judged on its own).
_CN_WORD_NUMERAL = re.compile(r"(?<=[唯统同万专单逐划之均合归])一|一(?=一对应)")


def _build(text: str, norm: str, m: re.Match[str]) -> Mention | None:
    num_key = "num" if m.group("num") else "cn" if m.group("cn") else "pnum"
    num_txt = m.group(num_key)
    chinese = not num_txt[0].isdigit()
    pre, q1, mult, q2, unit, q3 = (m.group(k) or "" for k in ("pre", "q1", "mult", "q2", "unit", "q3"))
    s_num = m.start(num_key)
    if chinese and not re.search(r"[零〇一二两三四五六七八九十]", num_txt):
        return None  # "千万家", "万元" alone are words, not numbers
    value = parse_decimal(num_txt)
    if value is None:
        return None
    if m.group("pct"):
        unit, mult = "%", ""
    s, e = m.start(), m.end()
    before = norm[s - 1] if s > 0 else ""
    after = norm[e] if e < len(norm) else ""
    kind: MentionKind = "figure"
    if chinese:
        if not unit:
            return None  # 二十大, 十四五, 三会一课: no measure word, not a quantity
        small = value < 10 and not re.search(r"[十百千万亿]", num_txt)
        if small and (num_txt == "一" or (not (q1 or q2) and unit not in _STRONG_CN_UNITS)):
            return None  # 四个意识, 八项规定, 一件事
        if before in ("第", "其") or after in ("是", "、"):
            return None
    else:
        line_prefix = norm[_line_start(norm, s_num) : s_num]
        if before == "第" or after == "是":
            kind = "ordinal"
        elif _latin(before) or _latin(after) or (before == "-" and _latin(norm[s - 2 : s - 1])):
            kind = "code"
        elif (
            line_prefix.strip() in ("", "（", "(") and re.match(r"[0-9]+\s*[.、)）](?![0-9])", norm[s_num:])
        ) or (before in ("（", "(") and after in (")", "）") and not unit):
            kind = "heading"  # "1." / "（2）" list markers
        elif not unit and not mult and not pre and re.fullmatch(r"(?:19|20)[0-9]{2}", num_txt):
            y = int(num_txt)  # "2023县域健康共同体…研讨会": a year used as a name prefix
            return Mention(s, e, text[s:e], num_txt, "", Decimal(y), "", kind="date", years=(y,))
    base = _UNITS.get(unit, "") if unit else ""
    if kind == "figure" and _in_short_quote(norm, s, e) and base not in ("%", "元", "pp"):
        kind = "concept"  # “6个体系”, “XX15分钟服务圈”: names, not claims
    written_unit = ""
    if m.group("mult") and not m.group("pct"):
        written_unit += text[m.start("mult") : m.end("mult")]
    if m.group("unit"):
        written_unit += text[m.start("unit") : m.end("unit")]
    elif m.group("pct"):
        written_unit = "%"
    return Mention(
        start=s,
        end=e,
        text=text[s:e],
        value=text[s_num : s_num + len(num_txt)],
        unit=written_unit,
        number=value * _MULT.get(mult, Decimal(1)),
        base=base,
        qualifier="|".join(q for q in (pre, q1 or q2, q3) if q),
        kind=kind,
        chinese=chinese,
    )


def figures_in(text: str) -> list[Mention]:
    return [m for m in find_numbers(text) if m.kind == "figure"]


def same_quantity(a: Mention, b_number: Decimal, b_base: str) -> bool:
    return a.number == b_number and units_compatible(a.base, b_base)
