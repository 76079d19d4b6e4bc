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
