"""The bulk floor's email: `customer_processing_order` of the bench workflow (shop "Example
Shop", en_US, EUR, UTC), written by hand in plain Python, as a script that sends its own
emails would write it: f-strings around the template's fixed text, the values escaped
(`escape`, the same characters as markupsafe's), amounts and dates formatted by hand for the
one locale. No template engine, no sandbox, no locale data: the cheapest way to the same bytes.

`render(order)` gives the subject, the text and the HTML of one order: byte for byte what
orderwf renders from the shipped templates for the bench's orders (`bulk.py` compares the two
outboxes after each run, and stops on a difference). It covers what the bench's orders hold
and what the templates show of a pending order: product lines (SKU, quantity, refunded
quantity), shipping and fee lines, tax, payment method, refunds, the checkout note, tracking
and both addresses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

SHOP_NAME = "Example Shop"
SHOP_EMAIL = "shop@example.com"
SUBJECT = f"Your {SHOP_NAME} order has been received!"
CENT = Decimal("0.01")


try:  # markupsafe's escaping in C without a `Markup` around it, as orderwf's trusted path
    from markupsafe import _escape_inner  # type: ignore[attr-defined]
except ImportError:  # markupsafe 2: its `escape`, made a `str`
    from markupsafe import escape as _escape

    def _escape_inner(s: str, /) -> str:
        return str(_escape(s))


def escape(value: Any) -> str:
    """What an autoescaped `{{ value }}` writes (markupsafe's five characters), as orderwf's
    trusted templates write it (`templating.trusted_escape`)."""
    return _escape_inner(value if type(value) is str else str(value))


def money(amount: Decimal) -> str:
    """`€1,234.50`, `-€1.00`: en_US's euro amounts, each text written once (as orderwf
    remembers them: the same prices come back in thousands of emails)."""
    key = str(amount)
    text = _AMOUNTS.get(key)
    if text is None:
        amount = amount.quantize(CENT, ROUND_HALF_UP)
        text = _AMOUNTS[key] = f"-€{-amount:,.2f}" if amount < 0 else f"€{amount:,.2f}"
    return text


_AMOUNTS: dict[str, str] = {}


def day(moment: str | date) -> str:
    """`January 1, 2026` for a UTC time or a day (the store's text `2026-01-01 00:00:30.000000`
    or `2026-01-01` on SQLite, a `datetime` or a `date` on PostgreSQL), each day written once
    (as orderwf remembers them)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    d = moment.date() if isinstance(moment, datetime) else moment
    text = _DAYS.get(d)
    if text is None:
        text = _DAYS[d] = f"{d:%B} {d.day}, {d.year}"
    return text


_DAYS: dict[date, str] = {}


def address_lines(a: Mapping[str, Any], email: bool) -> list[str]:
    """An address's non-empty lines, as orderwf's `address_lines` writes them."""
    g = a.get
    lines = [
        f"{g('first_name') or ''} {g('last_name') or ''}".strip(),
        g("company"),
        g("address_1"),
        g("address_2"),
        f"{g('postcode') or ''} {g('city') or ''}".strip(),
        g("state"),
        g("country"),
        g("phone"),
    ]
    if email:
        lines.append(g("email"))
    return [s for line in lines if line and (s := line.strip())]


class Order(NamedTuple):
    """What both parts show of an order, worked out once: its row, its lines by kind, their
    sums, its refunds with their sum, its tracking."""

    row: Mapping[str, Any]
    items: list[Mapping[str, Any]]
    shipping: list[Mapping[str, Any]]
    fees: list[Mapping[str, Any]]
    subtotal: Decimal
    tax: Decimal
    refunds: Sequence[Mapping[str, Any]]
    refunded: Decimal
    tracking: Sequence[Mapping[str, Any]]


def render(
    order: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    refunds: Sequence[Mapping[str, Any]],
    tracking: Sequence[Mapping[str, Any]],
) -> tuple[str, str, str]:
    """The subject, text and HTML of `customer_processing_order` for one order: `order` its
    row (billing and shipping decoded), `lines` its lines of every kind in order, `refunds`
    and `tracking` its rows."""
    items, shipping, fees = [], [], []
    subtotal = tax = refunded = Decimal(0)
    for li in lines:
        tax += li["total_tax"]
        kind = li["kind"]
        if kind == "line_item":
            items.append(li)
            subtotal += li["total"]
        elif kind == "shipping":
            shipping.append(li)
        elif kind == "fee":
            fees.append(li)
    for r in refunds:
        refunded += r["amount"]
    o = Order(order, items, shipping, fees, subtotal, tax, refunds, refunded, tracking)
    return SUBJECT, _text(o), _html(o)


_TH = (
    '      <th scope="row" colspan="2" style="padding:10px 12px; border:1px solid #e5e5e5;'
    ' vertical-align:middle; text-align:left; font-weight:bold; color:#3c3c3c;">'
)
_TD = (
    '      <td style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle;'
    ' text-align:right; color:#636363; white-space:nowrap;">'
)
_CELL = (
    '      <td style="padding:10px 12px; border:1px solid #e5e5e5; vertical-align:middle;'
    ' text-align:{}; color:#636363;{}">'
)
_ROW = "    <tr>\n" + _CELL.format("left", "")
_CENTER = _CELL.format("center", "")
_RIGHT = _CELL.format("right", " white-space:nowrap;")
_HEAD = (
    '<!DOCTYPE html>\n<html lang="en-US">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    '<meta name="x-apple-disable-message-reformatting">\n'
    f"<title>{SHOP_NAME}</title>\n</head>\n"
    '<body style="margin:0; padding:0; background-color:#f7f7f7;">\n'
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"'
    ' style="background-color:#f7f7f7;">\n  <tr>\n'
    '    <td align="center" style="padding:32px 12px;">\n'
    '      <table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0"'
    ' style="width:100%; max-width:600px; background-color:#ffffff; border:1px solid #dedede;'
    ' border-radius:3px;">\n        <tr>\n'
    '          <td style="background-color:#7f54b3; padding:28px 48px;'
    ' font-family:Helvetica,Arial,sans-serif; color:#ffffff;">\n'
    '            <p style="margin:0 0 6px; font-size:13px; letter-spacing:1px;'
    f' text-transform:uppercase; color:#e5dcf0;">{SHOP_NAME}</p>\n'
    '            <h1 style="margin:0; font-size:26px; font-weight:300; line-height:1.3;'
    ' color:#ffffff;">Thank you for your order</h1>\n          </td>\n        </tr>\n'
    '        <tr>\n          <td style="padding:36px 48px; font-family:Helvetica,Arial,sans-serif;'
    ' font-size:14px; line-height:1.5; color:#3c3c3c;">\n'
)
_FOOT = (
    f'<p style="margin:24px 0 0;">Thanks for shopping with {SHOP_NAME}.</p>\n'
    "          </td>\n        </tr>\n      </table>\n"
    '      <table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0"'
    ' style="width:100%; max-width:600px;">\n        <tr>\n'
    '          <td align="center" style="padding:24px 12px; font-family:Helvetica,Arial,sans-serif;'
    ' font-size:12px; line-height:1.5; color:#8a8a8a;">\n'
    f'            {SHOP_NAME} &middot; <a href="mailto:{SHOP_EMAIL}"'
    f' style="color:#8a8a8a;">{SHOP_EMAIL}</a>\n'
    "          </td>\n        </tr>\n      </table>\n    </td>\n  </tr>\n</table>\n"
    "</body>\n</html>\n"
)
_TABLE = (
    '<table cellpadding="0" cellspacing="0" border="0" width="100%" style="width:100%;'
    " border-collapse:collapse; border:1px solid #e5e5e5; font-family:Helvetica,Arial,sans-serif;"
    ' font-size:14px;">\n'
)
_COLUMNS = "".join(
    '      <th scope="col" style="padding:10px 12px; border:1px solid #e5e5e5;'
    f' vertical-align:middle; text-align:{align}; font-weight:bold; color:#3c3c3c;">{name}</th>\n'
    for name, align in (("Product", "left"), ("Quantity", "center"), ("Price", "right"))
)
_H2 = (
    '<h2 style="margin:{} 0 12px; font-size:18px; font-weight:bold; line-height:1.3;'
    ' color:#7f54b3;">'
)
_ADDRESS = (
    '    <td valign="top" width="50%" style="padding:{}; vertical-align:top;">\n'
    + "      "
    + _H2.format("0")
    + "{} address</h2>\n"
    '      <p style="margin:0; padding:12px; border:1px solid #e5e5e5; line-height:1.6;'
    ' color:#636363;">\n{}\n      </p>\n    </td>\n'
)


def _html_address(a: Mapping[str, Any]) -> str:
    """The address block's lines, `<br>` between them, the email a link after them."""
    lines = [escape(line) for line in address_lines(a, email=False)]
    if email := a.get("email"):
        e = escape(email)
        lines.append(f'<a href="mailto:{e}" style="color:#7f54b3;">{e}</a>')
    return "<br>\n".join(lines)


def _html(o: Order) -> str:
    order = o.row
    number = escape(order["number"])
    billing, shipping = order["billing"], order["shipping"]
    out = [
        _HEAD,
        f'<p style="margin:0 0 16px;">Hi {escape(billing.get("first_name") or "there")},</p>\n'
        '<p style="margin:0 0 16px;">Just to let you know &mdash; we&rsquo;ve received your'
        f" order #{number}, and it is now being processed:</p>\n",
        _H2.format("24px"),
        f'Order #{number} <span style="font-weight:normal; color:#8a8a8a;">'
        f"({day(order['date_created'])})</span></h2>\n",
        _TABLE,
        f"  <thead>\n    <tr>\n{_COLUMNS}    </tr>\n  </thead>\n  <tbody>\n",
    ]
    for li in o.items:
        sku = li["sku"]
        quantity = li["quantity"]
        out += (_ROW, escape(li["name"]))
        if sku:
            out += (
                '<br><span style="font-size:12px; color:#8a8a8a;">SKU: ',
                escape(sku),
                "</span>",
            )
        out += ("</td>\n", _CENTER, str(quantity))
        if li["quantity_refunded"]:
            out += (
                ' <span style="color:#a00;">(&minus;',
                str(li["quantity_refunded"]),
                " refunded)</span>",
            )
        out += ("</td>\n", _RIGHT, money(li["total"]))
        if quantity > 1:
            out += (
                '<br><span style="font-size:12px; color:#8a8a8a;">',
                money(li["price"]),
                " each</span>",
            )
        out.append("</td>\n    </tr>\n")
    out.append(
        "  </tbody>\n  <tfoot>\n    <tr>\n"
        + _TH[:-2]
        + ' border-top-width:4px;">Subtotal:</th>\n'
        + _TD[:-2]
        + f' border-top-width:4px;">{money(o.subtotal)}</td>\n    </tr>\n'
    )
    for li in o.shipping:
        out.append(
            f"    <tr>\n{_TH}Shipping:</th>\n{_TD}{money(li['total'])}"
            '<br><span style="font-size:12px; color:#8a8a8a;">via '
            f"{escape(li['name'])}</span></td>\n    </tr>\n"
        )
    for li in o.fees:
        out.append(
            f"    <tr>\n{_TH}{escape(li['name'])}:</th>\n{_TD}{money(li['total'])}</td>\n"
            "    </tr>\n"
        )
    if o.tax:
        out.append(f"    <tr>\n{_TH}Tax:</th>\n{_TD}{money(o.tax)}</td>\n    </tr>\n")
    if order["payment_method_title"]:
        out.append(
            f"    <tr>\n{_TH}Payment method:</th>\n"
            f"{_TD}{escape(order['payment_method_title'])}</td>\n    </tr>\n"
        )
    for r in o.refunds:
        reason = f": {escape(r['reason'])}" if r["reason"] else ""
        out.append(
            f"    <tr>\n{_TH.replace('bold', 'normal')}Refund{reason}</th>\n"
            f"{_TD.replace('#636363', '#a00')}&minus;{money(r['amount'])}</td>\n    </tr>\n"
        )
    total = order["total"]
    shown = (
        f'<del style="color:#8a8a8a; font-weight:normal;">{money(total)}</del> '
        f"{money(total - o.refunded)}"
        if o.refunds
        else money(total)
    )
    out.append(
        f"    <tr>\n{_TH}Total:</th>\n"
        + _TD.replace("color:#636363;", "font-weight:bold; color:#3c3c3c;")
        + f"{shown}</td>\n    </tr>\n  </tfoot>\n</table>\n"
    )
    if order["customer_note"]:
        out.append(
            '<p style="margin:16px 0 0; padding:12px 16px; background-color:#f7f7f7;'
            ' border-left:4px solid #7f54b3; color:#3c3c3c;"><strong>Customer note:</strong> '
            f"{escape(order['customer_note'])}</p>\n"
        )
    if o.tracking:
        out.append(_H2.format("32px") + "Tracking</h2>\n" + _TABLE)
        for t in o.tracking:
            shipped = (
                '<br><span style="font-size:12px; color:#8a8a8a;">Shipped on '
                f"{day(t['shipped_on'])}</span>"
                if t["shipped_on"]
                else ""
            )
            url = t["url"]
            link = (
                f'<a href="{escape(url)}" style="display:inline-block; padding:8px 16px;'
                " background-color:#7f54b3; border-radius:3px; color:#ffffff; font-weight:bold;"
                ' text-decoration:none;">Track</a>'
                if url and url.startswith(("https://", "http://"))
                else ""
            )
            out.append(
                '  <tr>\n    <td style="padding:10px 12px; border:1px solid #e5e5e5;'
                ' color:#636363;"><strong style="color:#3c3c3c;">'
                f"{escape(t['carrier'].title())}</strong><br>{escape(t['number'])}{shipped}</td>\n"
                '    <td align="right" style="padding:10px 12px; border:1px solid #e5e5e5;'
                f' text-align:right; white-space:nowrap;">{link}</td>\n  </tr>\n'
            )
        out.append("</table>\n")
    out.append(
        '<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%"'
        ' style="width:100%; margin-top:32px; font-family:Helvetica,Arial,sans-serif;'
        ' font-size:14px;">\n  <tr>\n'
        + _ADDRESS.format("0 8px 0 0", "Billing", _html_address(billing))
    )
    if shipping.get("address_1"):
        out.append(_ADDRESS.format("0 0 0 8px", "Shipping", _html_address(shipping)))
    out.append("  </tr>\n</table>\n")
    out.append(_FOOT)
    return "".join(out)


def _text(o: Order) -> str:
    order = o.row
    billing, shipping = order["billing"], order["shipping"]
    out = [
        "Thank you for your order\n\n"
        f"Hi {billing.get('first_name') or 'there'},\n\n"
        f"Just to let you know: we have received your order #{order['number']}, and it is now"
        " being processed:\n\n"
        f"[Order #{order['number']}] ({day(order['date_created'])})\n\n"
    ]
    for li in o.items:
        quantity = li["quantity"]
        out += ("- ", li["name"])
        if li["sku"]:
            out += (" (SKU: ", li["sku"], ")")
        out += (" × ", str(quantity))
        if quantity > 1:
            out += (" at ", money(li["price"]))
        out += (" = ", money(li["total"]))
        if li["quantity_refunded"]:
            out += (" (", str(li["quantity_refunded"]), " refunded)")
        out.append("\n")
    out.append(f"\nSubtotal: {money(o.subtotal)}\n")
    for li in o.shipping:
        out.append(f"Shipping: {money(li['total'])} via {li['name']}\n")
    for li in o.fees:
        out.append(f"{li['name']}: {money(li['total'])}\n")
    if o.tax:
        out.append(f"Tax: {money(o.tax)}\n")
    if order["payment_method_title"]:
        out.append(f"Payment method: {order['payment_method_title']}\n")
    out.append(f"Total: {money(order['total'])}\n")
    for r in o.refunds:
        reason = f" ({r['reason']})" if r["reason"] else ""
        out.append(f"Refund{reason}: -{money(r['amount'])}\n")
    if o.refunds:
        out.append(f"Total after refunds: {money(order['total'] - o.refunded)}\n")
    if order["customer_note"]:
        out.append(f"\nCustomer note: {order['customer_note']}\n")
    if o.tracking:
        out.append("\nTracking\n")
        for t in o.tracking:
            shipped = f", shipped on {day(t['shipped_on'])}" if t["shipped_on"] else ""
            out.append(f"- {t['carrier'].title()} {t['number']}{shipped}\n")
            if t["url"]:
                out.append(f"  Track: {t['url']}\n")
    out.append("\nBilling address\n")
    out.extend(line + "\n" for line in address_lines(billing, email=True))
    if shipping.get("address_1"):
        out.append("\nShipping address\n")
        out.extend(line + "\n" for line in address_lines(shipping, email=True))
    out.append(f"\nThanks for shopping with {SHOP_NAME}.\n\n--\n{SHOP_NAME} <{SHOP_EMAIL}>\n")
    return "".join(out)


def check() -> int:
    """Compare `render` with orderwf's shipped templates on the sample order (`context_names.
    sample_context`: a refund, a fee, tracking, a checkout note) and on a copy of it with text
    to escape, a first name missing and a tracking URL that is not a web page. The bench's
    orders (`bulk.py`) hold none of those."""
    import copy
    import difflib
    from pathlib import Path

    from orderwf import context_names, templating
    from orderwf.engine import context as ctx
    from orderwf.workflow.loader import load_workflow

    root = Path(__file__).resolve().parent.parent
    wf = load_workflow(root / "workflows" / "woocommerce.yaml")
    folder = (root / "templates" / "emails").resolve()
    parts = [
        templating.trusted_template(folder, f"customer_processing_order.{kind}.j2")
        for kind in ("txt", "html")
    ]
    status = ctx.status_context(wf, "processing")
    sample = context_names.sample_context(
        workflow=wf.name, status=status, shop=ctx.shop_context(wf)
    )
    edited = copy.deepcopy(sample)
    edited["order"]["line_items"][0].update(name="Tee <b>\"&'", quantity=3)
    edited["order"]["billing"]["first_name"] = ""
    edited["order"]["customer_note"] = "leave at <door> & 'ring'"
    edited["order"]["tracking"][0]["url"] = "ftp://x"
    failed = 0
    for label, context in (("sample", sample), ("edited", edited)):
        o = context["order"]
        order = {
            key: o[key]
            for key in ("number", "total", "billing", "shipping", "customer_note",
                        "payment_method_title", "date_created")
        }  # fmt: skip
        lines = o["line_items"] + o["shipping_lines"] + o["fee_lines"]
        _, text, html = render(order, lines, o["refunds"], o["tracking"])
        for part, mine in zip(parts, (text, html), strict=True):
            assert part is not None
            theirs = part.render(context)
            if mine != theirs:
                failed += 1
                print(f"{label}, {part.name}: differs")
                print("".join(difflib.unified_diff(theirs.splitlines(True), mine.splitlines(True))))
    print("the same bytes as orderwf's" if not failed else f"{failed} parts differ")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(check())
