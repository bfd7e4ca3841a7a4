"""One colour per channel on every chart, each channel's its own; stages have colours apart.

Colour-blind-safe colours from Paul Tol's schemes: distinguishable with the common
colour-vision deficiencies.
"""

import colorsys
from collections.abc import Iterable

# The channels the sample and the default channel rules know, in the order legends list them.
CHANNEL_COLORS = {
    "Paid search": "#332288",
    "Organic search": "#117733",
    "Content marketing": "#DDCC77",
    "Website contact form": "#CC6677",
    "Trade show": "#882255",
    "Referral": "#88CCEE",
    "Email": "#44AA99",
    "Partner": "#AA4499",
}
# Rows that are no channel of their own: after every channel, in greys.
PSEUDO_CHANNEL_COLORS = {
    "(unknown)": "#9E9E9E",
    "(unmapped)": "#C8C8C8",
    "(no lead)": "#555555",
    "(all channels)": "#222222",
}
# Colours for channels an upload or a rule adds (Tol's "light" and "bright" schemes, less the
# ones above): handed out in the channels' alphabetical order.
SPARE_COLORS = (
    "#999933",
    "#77AADD",
    "#EE8866",
    "#BBCC33",
    "#FFAABB",
    "#99DDFF",
    "#44BB99",
    "#AAAA00",
    "#EEDD88",
)
# Bars that are no channel's (the funnel's, a won revenue beside its spend): no channel gets it.
NEUTRAL = "#4477AA"
# Funnel stages are drawn as lines too (cohorts, response bands): oranges to browns, a family
# no channel colour belongs to, darker as the stage goes further.
STAGE_COLORS = {
    "mql": "#F6C141",
    "sql": "#F1932D",
    "opportunity": "#E8601C",
    "won": "#A5170E",
}
_TAKEN = {
    NEUTRAL,
    *CHANNEL_COLORS.values(),
    *PSEUDO_CHANNEL_COLORS.values(),
    *STAGE_COLORS.values(),
}


def _generated(index: int) -> str:
    """A further colour once the spare ones are used up: hues a golden angle apart."""
    hue = (0.11 + index * 0.381966) % 1.0
    red, green, blue = colorsys.hls_to_rgb(hue, 0.45, 0.55)
    return f"#{round(red * 255):02X}{round(green * 255):02X}{round(blue * 255):02X}"


def _extra_colors() -> Iterable[str]:
    yield from SPARE_COLORS
    index = 0
    while True:
        color = _generated(index)
        if color not in _TAKEN and color not in SPARE_COLORS:
            yield color
        index += 1


def assign(channels: Iterable[str]) -> dict[str, str]:
    """A distinct colour for every channel in ``channels`` (all the data's channels), in the
    order every legend lists them: known channels first, then new ones by name, then the
    rows that are no channel. A known channel keeps its colour whatever else is there."""
    names = set(channels)
    known = [name for name in CHANNEL_COLORS if name in names]
    pseudo = [name for name in PSEUDO_CHANNEL_COLORS if name in names]
    new = sorted(names - set(known) - set(pseudo))
    colors = {name: CHANNEL_COLORS[name] for name in known}
    colors.update(zip(new, _extra_colors(), strict=False))
    colors.update({name: PSEUDO_CHANNEL_COLORS[name] for name in pseudo})
    return colors
