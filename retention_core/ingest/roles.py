"""Column roles and data kinds (SPEC §2): which header is the customer, the date, the amount, ….

Detection matches headers case-insensitively against English and Russian synonyms, then falls back
to content (a column whose values parse as dates, or as numbers). It is a suggestion: callers pass a
``mapping`` to override any role.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

import polars as pl

from retention_core.errors import ColumnNotFoundError, check_choice
from retention_core.ingest.parse import detect_date_format, parse_datetime

Kind = Literal["orders", "subscriptions", "events", "survey"]
KINDS: tuple[str, ...] = get_args(Kind)

# role -> synonyms (normalised: lower-case, separators collapsed to "_")
SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": (
        "customer_id", "customerid", "customer", "client", "client_id", "clientid", "user_id", "userid", "user",
        "email", "e_mail", "phone", "buyer", "buyer_id", "member_id", "account_id", "contact_id", "uid", "visitor_id",
        "клиент", "покупатель", "id_клиента", "код_клиента", "клиент_id", "пользователь", "id_пользователя",
        "телефон", "почта", "контрагент", "id_покупателя",
    ),
    "ordered_at": (
        "order_date", "date", "orderdate", "invoicedate", "invoice_date", "created_at", "created", "timestamp",
        "datetime", "purchase_date", "transaction_date", "paid_at", "payment_date", "order_time", "time",
        "дата", "дата_заказа", "дата_покупки", "дата_оплаты", "дата_продажи", "время", "дата_документа",
    ),
    "amount": (
        "amount", "revenue", "total", "sum", "order_total", "total_amount", "value", "sales", "payment", "paid",
        "gross", "net", "order_value", "price_total", "сумма", "выручка", "стоимость", "сумма_заказа", "итого",
        "оплата", "сумма_оплаты", "сумма_продажи",
    ),
    "order_id": (
        "order_id", "orderid", "order", "invoice", "invoiceno", "invoice_no", "invoice_id", "transaction_id",
        "receipt", "check_id", "order_number", "номер_заказа", "заказ", "номер", "номер_чека", "чек", "id_заказа",
        "документ",
    ),
    "quantity": ("quantity", "qty", "units", "count", "количество", "кол_во", "колво", "шт"),
    "unit_price": ("unitprice", "unit_price", "price", "item_price", "цена", "цена_за_единицу"),
    "started_at": ("start_date", "started_at", "start", "subscription_start", "дата_начала", "начало", "период_с"),
    "ended_at": (
        "end_date", "ended_at", "end", "cancelled_at", "canceled_at", "churned_at", "subscription_end",
        "дата_окончания", "окончание", "дата_отмены", "период_по",
    ),
    "mrr": ("mrr", "price", "monthly_price", "amount", "plan_price", "fee", "цена", "стоимость", "сумма"),
    "plan": ("plan", "tariff", "product", "тариф", "план"),
    "user_id": (),  # filled below: events use the customer synonyms
    "event": ("event", "event_name", "action", "event_type", "name", "step", "событие", "действие"),
    "occurred_at": (),  # events use the date synonyms
    "score": ("score", "nps", "nps_score", "rating", "answer", "оценка", "балл", "nps_оценка"),
    "answered_at": (),  # survey uses the date synonyms
}
SYNONYMS["user_id"] = ("user_id", "userid", "user", "visitor_id", "anonymous_id", "distinct_id", *SYNONYMS["customer_id"])
SYNONYMS["occurred_at"] = ("event_time", "event_timestamp", "occurred_at", "ts", *SYNONYMS["ordered_at"])
SYNONYMS["answered_at"] = ("answered_at", "survey_date", "response_date", *SYNONYMS["ordered_at"])

# roles per kind: (required, optional)
ROLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "orders": (("customer_id", "ordered_at", "amount"), ("order_id", "quantity", "unit_price")),
    "subscriptions": (("customer_id", "started_at"), ("ended_at", "mrr", "plan")),
    "events": (("user_id", "event", "occurred_at"), ()),
    "survey": (("score", "answered_at"), ("customer_id",)),
}
DATE_ROLES = {"ordered_at", "started_at", "ended_at", "occurred_at", "answered_at"}
NUMBER_ROLES = {"amount", "quantity", "unit_price", "mrr", "score"}


def normalise(header: str) -> str:
    """Header as matched against synonyms: lower-case, non-alphanumerics collapsed to ``_``.

    Examples
    --------
    >>> normalise("  Дата заказа ")
    'дата_заказа'
    >>> normalise("CustomerID")
    'customerid'
    """
    return re.sub(r"[^\w]+", "_", header.strip().lower()).strip("_")


def detect_kind(headers: list[str]) -> Kind:
    """Guess the data kind from headers: an event column ⇒ events; start+end ⇒ subscriptions; a score ⇒ survey.

    Examples
    --------
    >>> detect_kind(["user_id", "event", "timestamp"])
    'events'
    >>> detect_kind(["client", "start_date", "end_date", "mrr"])
    'subscriptions'
    >>> detect_kind(["Клиент", "Дата", "Сумма"])
    'orders'
    """
    names = {normalise(h) for h in headers}
    if names & set(SYNONYMS["event"]) - {"name", "step"}:
        return "events"
    if names & set(SYNONYMS["started_at"]) and names & set(SYNONYMS["ended_at"]):
        return "subscriptions"
    if names & set(SYNONYMS["score"]) and not names & set(SYNONYMS["amount"]):
        return "survey"
    return "orders"


def _by_header(role: str, headers: list[str], taken: set[str]) -> str | None:
    norm = {h: normalise(h) for h in headers if h not in taken}
    for synonym in SYNONYMS[role]:  # synonym order is priority order
        for header, n in norm.items():
            if n == synonym:
                return header
    for synonym in SYNONYMS[role]:  # then "contains", for headers like "Order Date (UTC)"
        if len(synonym) < 4:
            continue
        for header, n in norm.items():
            if synonym in n.split("_") or n.startswith(synonym):
                return header
    return None


def _by_content(role: str, frame: pl.DataFrame, taken: set[str]) -> str | None:
    sample = frame.head(2000)
    for header in sample.columns:
        if header in taken or header.startswith("__"):
            continue
        col = sample[header].drop_nulls()
        if col.len() == 0:
            continue
        if role in DATE_ROLES:
            fmt = detect_date_format(col)
            if fmt and fmt.family not in ("unix_s", "unix_ms", "excel_serial"):
                return header
        elif role == "amount":
            cleaned = col.str.replace_all(r"[\s\u00a0₽$€£]|руб\.?", "").str.replace(",", ".")
            numeric = cleaned.cast(pl.Float64, strict=False).is_not_null().mean()
            has_fraction = cleaned.str.contains(r"\.\d").any()
            if numeric is not None and numeric > 0.95 and has_fraction:
                return header
    return None


def _can_be_order_id(frame: pl.DataFrame, roles: dict[str, str]) -> bool:
    """A column found by its name is an order id only if its values are not dates ("Ordered at") and, unless
    the export has a line per item (quantity and price), mostly unique (a status or channel is not an id)."""
    values = frame[roles["order_id"]].head(2000).drop_nulls()
    values = values.filter(values.str.strip_chars() != "")
    if values.len() == 0:
        return True
    fmt = detect_date_format(values)
    if fmt and fmt.family not in ("unix_s", "unix_ms", "excel_serial"):
        parsed = values.to_frame("v").select(parse_datetime(pl.col("v"), fmt)).to_series()
        if parsed.is_not_null().mean() > 0.5:
            return False
    line_level = "quantity" in roles
    return line_level or values.n_unique() >= 0.5 * values.len()


def detect_roles(frame: pl.DataFrame, kind: Kind, mapping: dict[str, str] | None = None) -> dict[str, str]:
    """Map each role of ``kind`` to a header: user ``mapping`` first, then synonyms, then content.

    Raises
    ------
    ColumnNotFoundError
        A header named in ``mapping`` is not in the file.

    Examples
    --------
    >>> df = pl.DataFrame({"Клиент": ["a"], "Дата заказа": ["31.12.2024"], "Сумма, руб.": ["1 234,50"]})
    >>> detect_roles(df, "orders")
    {'customer_id': 'Клиент', 'ordered_at': 'Дата заказа', 'amount': 'Сумма, руб.'}
    """
    check_choice("kind", kind, KINDS)
    headers = [c for c in frame.columns if not c.startswith("__")]
    required, optional = ROLES[kind]
    roles: dict[str, str] = {}
    for role, header in (mapping or {}).items():
        if not header:
            continue
        check_choice("role", role, (*required, *optional))
        if header not in headers:
            raise ColumnNotFoundError.from_missing(header, headers, role=role)
        roles[role] = header
    taken = set(roles.values())
    for role in (*required, *optional):
        if role in roles or (mapping and role in mapping and not mapping[role]):
            continue
        header = _by_header(role, headers, taken)
        if header is None and role in required:
            header = _by_content(role, frame, taken)
        if header is not None:
            roles[role] = header
            taken.add(header)
    if "order_id" in roles and not (mapping and mapping.get("order_id")) and not _can_be_order_id(frame, roles):
        del roles["order_id"]
    # Line-level exports: a "price" header taken as amount while a quantity exists is the unit price.
    if kind == "orders" and "quantity" in roles and "unit_price" not in roles and roles.get("amount"):
        if normalise(roles["amount"]) in SYNONYMS["unit_price"]:
            roles["unit_price"] = roles.pop("amount")
    return roles
