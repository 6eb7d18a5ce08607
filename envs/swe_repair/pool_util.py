"""Pool modules of general helpers: statistics, text, dates, config; the legacy distractor."""
from __future__ import annotations

from .modules import Bug, Module

MODE_ANCHOR = "    return max(lo, min(x, hi))\n"
MODE_SOURCE = '''

def mode(values):
    """Most common value (the smallest of those tied); ValueError for no values."""
    if not values:
        raise ValueError("mode of empty data")
    counts = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    best = max(counts.values())
    return min(v for v, c in counts.items() if c == best)
'''

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


def mode(values):
    """Most common value (the smallest of those tied); ValueError for no values."""
    if not values:
        raise ValueError("mode of empty data")
    counts = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    best = max(counts.values())
    return min(v for v, c in counts.items() if c == best)
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
    Bug(MODE_ANCHOR + MODE_SOURCE, MODE_ANCHOR,
        "Feature request: add stats.mode(values), the most common value (the smallest of "
        "those tied; ValueError for no values). mode([1, 2, 2]) should be 2.",
        '''
def test_mode():
    from PKG.stats import mode
    assert mode([3, 1, 3, 2]) == 3
    assert mode([5, 4, 4, 5]) == 4
    try:
        mode([])
    except ValueError:
        return
    assert False, "no ValueError"
''', '''
def test_mode_issue_example():
    from PKG.stats import mode
    assert mode([1, 2, 2]) == 2
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
        value = value.strip()
        if value.lower() in ("true", "false"):
            value = value.lower() == "true"
        out[key.strip()] = value
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
    Bug('''        value = value.strip()
        if value.lower() in ("true", "false"):
            value = value.lower() == "true"
        out[key.strip()] = value
''', "        out[key.strip()] = value.strip()\n",
        "Feature request: parse() should turn the values true and false (any case) into "
        "booleans: 'debug = True' should give {'debug': True}.",
        '''
def test_parse_booleans():
    assert parse("a = FALSE\\nb = yes\\nc=true") == {"a": False, "b": "yes", "c": True}
    assert parse("x = tRuE")["x"] is True
''', '''
def test_parse_booleans_issue_example():
    assert parse("debug = True") == {"debug": True}
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
