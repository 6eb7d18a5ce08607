"""The module pool of `swe_repair`: small, correct Python modules, each with ways to break it.

A `Module` has its correct source, visible tests (they pass on every bug of this module except
the issue's own example), hidden regression tests, and `Bug`s. A bug is a text change `good
-> bad` of the source, an issue text, and hidden tests that fail on `bad` and pass on `good`.
Hidden tests use other inputs than the issue and the visible tests, so a fix that
special-cases those inputs fails them. `PKG` stands for the package name.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Bug:
    """A way to break a module: `good` text in the source becomes `bad`."""

    good: str
    bad: str
    issue: str  # the symptom, as a user reports it
    hidden: str  # test functions that fail on the bug
    visible: str = ""  # a visible test that shows the issue's example (levels 1-2)
    via: str = ""  # the issue as seen from another module (level 2+: the fix is elsewhere)


@dataclass
class Module:
    name: str
    source: str
    visible: str  # test functions that pass with or without any bug
    hidden: str  # regression tests (other inputs) that also pass with or without any bug
    bugs: list[Bug] = field(default_factory=list)
    imports: str = ""  # the test files' import line


STATS = Module("stats", '''"""Small statistics helpers."""


def mean(values):
    """Arithmetic mean; 0.0 for an empty sequence."""
    if not values:
        return 0.0
    return sum(values) / len(values)


def median(values):
    """Middle value (the mean of the two middle ones for an even count)."""
    s = sorted(values)
    n = len(s)
    if n == 0:
        raise ValueError("median of empty data")
    mid = n // 2
    if n % 2:
        return s[mid]
    return (s[mid - 1] + s[mid]) / 2


def clamp(x, lo, hi):
    """x limited to the range [lo, hi]."""
    return max(lo, min(x, hi))
''', '''
def test_mean():
    assert mean([1, 2, 3]) == 2


def test_clamp_inside():
    assert clamp(2, 0, 5) == 2
''', '''
def test_mean_floats():
    assert mean([0.5, 1.5, 4.0]) == 2.0


def test_median_odd():
    assert median([9, 1, 5, 7, 3]) == 5


def test_clamp_low():
    assert clamp(-4, -1, 8) == -1
''', [
    Bug("    if n % 2:\n        return s[mid]\n    return (s[mid - 1] + s[mid]) / 2\n",
        "    return s[mid]\n",
        "median() of an even number of values returns the upper middle value instead of the "
        "mean of the two middle values: median([1, 2, 3, 4]) returns 3, expected 2.5.",
        '''
def test_median_even():
    assert median([10, 20]) == 15.0
    assert median([8, 1, 6, 3]) == 4.5
''', '''
def test_median_issue_example():
    assert median([1, 2, 3, 4]) == 2.5
'''),
    Bug("    return max(lo, min(x, hi))\n", "    return max(lo, min(x, hi - 1))\n",
        "clamp() is off for values above the range: clamp(5, 0, 3) returns 2, expected 3.",
        '''
def test_clamp_high():
    assert clamp(99, 1, 10) == 10
    assert clamp(7, 2, 6) == 6
    assert clamp(4, 2, 6) == 4
''', '''
def test_clamp_issue_example():
    assert clamp(5, 0, 3) == 3
'''),
    Bug("    if not values:\n        return 0.0\n    return sum", "    return sum",
        "mean([]) raises ZeroDivisionError, but the docstring promises 0.0 for no values.",
        '''
def test_mean_empty():
    assert mean(()) == 0.0
    assert mean([]) == 0.0
    assert mean([4]) == 4
''', '''
def test_mean_issue_example():
    assert mean([]) == 0.0
'''),
], "from PKG.stats import clamp, mean, median")

TEXT = Module("text", '''"""Text helpers."""


def slugify(title):
    """Lower-case words of `title` joined by '-'; other characters are dropped."""
    words = "".join(c if c.isalnum() else " " for c in title.lower()).split()
    return "-".join(words)


def truncate(text, width, suffix="..."):
    """`text` cut to at most `width` characters, ending in `suffix` when it was cut."""
    if len(text) <= width:
        return text
    return text[: max(0, width - len(suffix))] + suffix


def count_words(text):
    """Number of whitespace-separated words."""
    return len(text.split())
''', '''
def test_slugify_simple():
    assert slugify("Hello World") == "hello-world"


def test_count_words():
    assert count_words("a b c") == 3
''', '''
def test_slugify_punctuation():
    assert slugify("Rock & Roll") == "rock-roll"


def test_truncate_short():
    assert truncate("tiny", 10) == "tiny"


def test_count_words_lines():
    assert count_words("one\\ntwo  three") == 3
''', [
    Bug('for c in title.lower()).split()', 'for c in title.lower()).split(" ")',
        "slugify() makes repeated dashes: slugify('Hello,  World') returns 'hello---world', "
        "expected 'hello-world'.",
        '''
def test_slugify_spaces():
    assert slugify("A  B") == "a-b"
    assert slugify(" Trim me ") == "trim-me"
''', '''
def test_slugify_issue_example():
    assert slugify("Hello,  World") == "hello-world"
'''),
    Bug("text[: max(0, width - len(suffix))] + suffix", "text[:width] + suffix",
        "truncate() returns text longer than `width`: truncate('abcdefghij', 5) returns "
        "'abcde...' (8 characters), expected 'ab...'.",
        '''
def test_truncate_width():
    assert truncate("hello world", 8) == "hello..."
    assert len(truncate("x" * 50, 10)) == 10
    assert truncate("abcdef", 4, suffix="~") == "abc~"
''', '''
def test_truncate_issue_example():
    assert truncate("abcdefghij", 5) == "ab..."
'''),
    Bug("    return len(text.split())\n", '    return len(text.split(" "))\n',
        "count_words('') returns 1, and double spaces count as words.",
        '''
def test_count_words_empty():
    assert count_words("") == 0
    assert count_words("x  y") == 2
''', '''
def test_count_words_issue_example():
    assert count_words("") == 0
'''),
], "from PKG.text import count_words, slugify, truncate")

MONEY = Module("money", '''"""Money as integer cents."""
from decimal import ROUND_HALF_UP, Decimal


def to_cents(amount):
    """'12.34' or 12.34 -> 1234, rounded half up."""
    return int((Decimal(str(amount)) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def format_cents(cents):
    """1234 -> '$12.34'; negative amounts as '-$12.34'."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}${cents // 100}.{cents % 100:02d}"
''', '''
def test_to_cents():
    assert to_cents("12.34") == 1234


def test_format_round():
    assert format_cents(1234) == "$12.34"
''', '''
def test_to_cents_float():
    assert to_cents(0.1) == 10


def test_format_big():
    assert format_cents(123456) == "$1234.56"
''', [
    Bug("{cents % 100:02d}", "{cents % 100}",
        "format_cents(1205) gives '$12.5' instead of '$12.05'.",
        '''
def test_format_small_cents():
    assert format_cents(301) == "$3.01"
    assert format_cents(7) == "$0.07"
''', '''
def test_format_issue_example():
    assert format_cents(1205) == "$12.05"
''', "The receipt total is wrong for some carts: a pen at 12.05 shows 'TOTAL $12.5'."),
    Bug('    sign = "-" if cents < 0 else ""\n    cents = abs(cents)\n',
        '    sign = "-" if cents < 0 else ""\n',
        "format_cents(-250) returns '-$-3.50', expected '-$2.50'.",
        '''
def test_format_negative():
    assert format_cents(-1999) == "-$19.99"
    assert format_cents(-5) == "-$0.05"
''', '''
def test_format_issue_example():
    assert format_cents(-250) == "-$2.50"
''', "Refund lines on receipts are garbled: a -2.50 line shows '-$-3.50'."),
    Bug("rounding=ROUND_HALF_UP))", 'rounding="ROUND_DOWN"))',
        "to_cents('2.675') returns 267; prices must round half up, to 268.",
        '''
def test_to_cents_half_up():
    assert to_cents("0.125") == 13
    assert to_cents("9.995") == 1000
''', '''
def test_to_cents_issue_example():
    assert to_cents("2.675") == 268
''', "Cart totals are a cent short: a 2.675 item costs 267 cents, expected 268 (half up)."),
], "from PKG.money import format_cents, to_cents")

CART = Module("cart", '''"""A shopping cart priced in cents."""
from PKG.money import format_cents, to_cents


class Cart:
    """Items with unit prices and quantities."""

    def __init__(self):
        self.items = {}

    def add(self, name, price, qty=1):
        """Add `qty` of `name` at `price` dollars; adding it again adds to the quantity."""
        if qty <= 0:
            raise ValueError("qty must be positive")
        cents = to_cents(price)
        old = self.items.get(name, (cents, 0))[1]
        self.items[name] = (cents, old + qty)

    def total_cents(self):
        return sum(c * q for c, q in self.items.values())

    def receipt(self):
        lines = [f"{n} x{q} {format_cents(c * q)}" for n, (c, q) in sorted(self.items.items())]
        lines.append(f"TOTAL {format_cents(self.total_cents())}")
        return "\\n".join(lines)
''', '''
def test_cart_total():
    c = Cart()
    c.add("pen", "1.50", 2)
    assert c.total_cents() == 300
''', '''
def test_receipt():
    c = Cart()
    c.add("mug", "4.25")
    c.add("cap", "10", 2)
    assert c.receipt() == "cap x2 $20.00\\nmug x1 $4.25\\nTOTAL $24.25"


def test_bad_qty():
    c = Cart()
    try:
        c.add("x", 1, 0)
    except ValueError:
        return
    assert False, "qty 0 accepted"
''', [
    Bug("(cents, old + qty)", "(cents, qty)",
        "Adding the same item twice keeps only the last quantity: add('pen', 1.5, 2) then "
        "add('pen', 1.5, 3) leaves 3 pens, expected 5.",
        '''
def test_add_twice():
    c = Cart()
    c.add("ink", "2.00", 1)
    c.add("ink", "2.00", 4)
    assert c.total_cents() == 1000
''', '''
def test_add_issue_example():
    c = Cart()
    c.add("pen", 1.5, 2)
    c.add("pen", 1.5, 3)
    assert c.items["pen"][1] == 5
'''),
], "from PKG.cart import Cart")

INVENTORY = Module("inventory", '''"""Stock levels per SKU."""


class Inventory:
    def __init__(self):
        self.stock = {}

    def receive(self, sku, qty):
        self.stock[sku] = self.stock.get(sku, 0) + qty

    def ship(self, sku, qty):
        """Remove `qty`; ValueError when there is not enough stock."""
        have = self.stock.get(sku, 0)
        if qty > have:
            raise ValueError(f"only {have} of {sku} in stock")
        self.stock[sku] = have - qty

    def low_stock(self, threshold):
        """SKUs with stock below `threshold`, sorted."""
        return sorted(s for s, q in self.stock.items() if q < threshold)
''', '''
def test_receive_ship():
    inv = Inventory()
    inv.receive("a", 5)
    inv.ship("a", 2)
    assert inv.stock["a"] == 3
''', '''
def test_low_stock_order():
    inv = Inventory()
    for sku, n in (("z", 1), ("b", 0), ("m", 9)):
        inv.receive(sku, n)
    assert inv.low_stock(2) == ["b", "z"]
''', [
    Bug("        if qty > have:\n", "        if qty > have + 1:\n",
        "ship() lets stock go negative: with 2 in stock, ship 3 succeeds and leaves -1.",
        '''
def test_ship_too_many():
    inv = Inventory()
    inv.receive("k", 7)
    try:
        inv.ship("k", 8)
    except ValueError:
        inv.ship("k", 7)
        assert inv.stock["k"] == 0
        return
    assert False, "shipped more than in stock"
''', '''
def test_ship_issue_example():
    inv = Inventory()
    inv.receive("a", 2)
    try:
        inv.ship("a", 3)
    except ValueError:
        return
    assert False
'''),
    Bug("if q < threshold)", "if q <= threshold)",
        "low_stock(5) lists SKUs with exactly 5 items; the docstring says below the threshold.",
        '''
def test_low_stock_strict():
    inv = Inventory()
    inv.receive("p", 3)
    inv.receive("q", 2)
    assert inv.low_stock(3) == ["q"]
''', '''
def test_low_stock_issue_example():
    inv = Inventory()
    inv.receive("a", 5)
    assert inv.low_stock(5) == []
'''),
], "from PKG.inventory import Inventory")

DATES = Module("dates", '''"""Date helpers on ISO date strings."""
import datetime as _dt


def add_days(iso, n):
    """'2024-01-30' plus 2 days -> '2024-02-01'."""
    return (_dt.date.fromisoformat(iso) + _dt.timedelta(days=n)).isoformat()


def is_weekend(iso):
    """True on Saturdays and Sundays."""
    return _dt.date.fromisoformat(iso).weekday() >= 5


def business_days_between(start, end):
    """Number of Monday-Friday days in [start, end)."""
    d, n = _dt.date.fromisoformat(start), 0
    stop = _dt.date.fromisoformat(end)
    while d < stop:
        if d.weekday() < 5:
            n += 1
        d += _dt.timedelta(days=1)
    return n
''', '''
def test_add_days():
    assert add_days("2024-01-30", 2) == "2024-02-01"


def test_sunday():
    assert is_weekend("2024-06-02")
''', '''
def test_add_days_back():
    assert add_days("2024-03-01", -1) == "2024-02-29"


def test_weekday():
    assert not is_weekend("2024-06-05")
''', [
    Bug(".weekday() >= 5\n", ".weekday() > 5\n",
        "is_weekend('2024-06-01') returns False, but that day is a Saturday.",
        '''
def test_saturday():
    assert is_weekend("2024-06-08") is True
    assert is_weekend("2024-06-09") is True
    assert is_weekend("2024-06-07") is False
''', '''
def test_saturday_issue_example():
    assert is_weekend("2024-06-01")
'''),
    Bug("        if d.weekday() < 5:\n", "        if d.weekday() < 4:\n",
        "business_days_between() skips Fridays: from Monday 2024-06-03 to Monday 2024-06-10 "
        "it returns 4, expected 5.",
        '''
def test_business_days():
    assert business_days_between("2024-06-07", "2024-06-08") == 1
    assert business_days_between("2024-06-01", "2024-06-15") == 10
''', '''
def test_business_days_issue_example():
    assert business_days_between("2024-06-03", "2024-06-10") == 5
'''),
], "from PKG.dates import add_days, business_days_between, is_weekend")

CONFIG = Module("config", '''"""Settings parsed from 'key = value' lines."""


def parse(text):
    """Dict of settings; blank lines and lines starting with '#' are skipped."""
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        out[key.strip()] = value.strip()
    return out
''', '''
def test_parse_pairs():
    assert parse("a = 1\\nb=two") == {"a": "1", "b": "two"}
''', '''
def test_parse_blank_lines():
    assert parse("\\n  \\nk = v w\\n") == {"k": "v w"}
''', [
    Bug('        if not line or line.startswith("#"):\n', "        if not line:\n",
        "parse() treats comment lines as settings: '# note' becomes a key '# note'.",
        '''
def test_parse_comments():
    assert parse("# header\\nx = 1\\n  # indented = 2") == {"x": "1"}
''', '''
def test_parse_issue_example():
    assert parse("# note\\na = 1") == {"a": "1"}
'''),
], "from PKG.config import parse")

LEGACY = '''"""Deprecated helpers kept for old callers. Do not use in new code."""


def old_median(values):
    s = sorted(values)
    return s[len(s) // 2]


def old_format_cents(cents):
    return "$" + str(cents / 100)


def old_slugify(title):
    return title.lower().replace(" ", "-")
'''

POOL = [STATS, TEXT, MONEY, CART, INVENTORY, DATES, CONFIG]
BY_NAME = {m.name: m for m in POOL}
