"""Pool modules of a shop: money in cents, a cart that uses it, inventory."""
from __future__ import annotations

from .modules import Bug, Module

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
