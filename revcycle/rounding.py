"""Numbers rounded as every screen, pack and file shows them: half away from zero, from the
number as written. The pages (revcycle/ui/format.py) and the meeting's pack and command line
(revcycle/meeting/shown.py) share it; no Streamlit."""

import math
from decimal import ROUND_HALF_UP, Decimal


def as_shown(value: float, digits: int) -> float:
    """``value`` rounded as shown: half away from zero, as the importer rounds amounts to the
    cent and as a bookkeeper does (2,230.50 is 2,231; Python's round makes it 2,230), from the
    number as written (1.005, not the binary fraction just under it); and a rounded -0.0 turned
    into 0.0 ("0.0%", not "-0.0%")."""
    number = float(value)
    if not math.isfinite(number):
        return number
    written = Decimal(repr(number))
    return float(written.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)) + 0.0


def grouped(value: float, digits: int = 0) -> str:
    """1,234.5: ``value`` with its thousands grouped, to ``digits`` places, rounded as shown."""
    return f"{as_shown(value, digits):,.{digits}f}"
