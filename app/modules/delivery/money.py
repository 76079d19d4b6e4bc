"""Amounts of money as the ledgers keep them: whole fen, read from yuan."""
from decimal import Decimal, InvalidOperation

MAX_FEN = 100_000_000 * 100  # one hundred million yuan


def to_fen(value) -> int:
    """An amount in yuan (number or numeric text, at most 2 decimals) as whole fen."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError("give the amount in yuan, e.g. 1200.50")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("give the amount in yuan, e.g. 1200.50") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError("a positive amount with at most two decimals")
    fen = int(amount * 100)
    if fen > MAX_FEN:
        raise ValueError("too large")
    return fen


def entry_errors(payload: dict, kind: str, named_kinds) -> tuple[dict, int | None]:
    """The field errors of a ledger entry's source, note and amount (a named kind says who gave it), and the
    amount in fen when it reads; the kind's own check is the caller's."""
    source, note = payload.get("source", ""), payload.get("note", "")
    errors = {}
    if not isinstance(source, str) or len(source) > 200:
        errors["source"] = "at most 200 characters"
    elif kind in named_kinds and not source.strip():
        errors["source"] = "say who gave it" if kind != "named_fund" else "name the donor of the named fund"
    if not isinstance(note, str) or len(note) > 500:
        errors["note"] = "at most 500 characters"
    try:
        return errors, to_fen(payload.get("amount"))
    except ValueError as problem:
        return errors | {"amount": str(problem)}, None
