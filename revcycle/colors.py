"""One colour per channel on every chart, each channel's its own; stages have colours apart.

The channels the sample knows have colour-blind-safe colours from Paul Tol's schemes,
distinguishable with the common colour-vision deficiencies. Channels an upload adds get colours
chosen to stay apart from them and from each other (SPARE_COLORS), 40 channels in all.
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
# Colours for channels an upload or a rule adds, handed out in the channels' alphabetical order:
# enough for 32 such channels that any two of them, or one of them and any colour above, stay
# told apart on a shared screen. Taken in this order from Tol's olive and orange, then plotly's
# qualitative sets (D3, T10, G10, Set1, Dark2, Bold, Safe, Vivid, Prism, Dark24, Alphabet,
# Light24, Antique, Pastel, Plotly), each kept only when it is at least 11 apart (CIEDE2000) from
# every colour before it, the greys, the stage oranges and NEUTRAL included, at least 30 from the
# white background, and no grey itself. (Tol's light colours, handed out before them, were as
# close as 4 to his muted ones: #EEDD88 beside #DDCC77; colours generated after them, 3.)
SPARE_COLORS = (
    "#999933",
    "#EE8866",
    "#2CA02C",
    "#9467BD",
    "#8C564B",
    "#E377C2",
    "#17BECF",
    "#9D755D",
    "#0099C6",
    "#E41A1C",
    "#A65628",
    "#E7298A",
    "#A6761D",
    "#80BA5A",
    "#008695",
    "#661100",
    "#24796C",
    "#5F4690",
    "#DA16FF",
    "#750D86",
    "#511CFB",
    "#6C7C32",
    "#778AAE",
    "#6C4516",
    "#AF0038",
    "#16FF32",
    "#6A76FC",
    "#F6F926",
    "#855C75",
    "#B497E7",
    "#00CC96",
    "#FF97FF",
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
    """A further colour once the spare ones are used up: hues a golden angle apart, distinct
    but no longer promised to be told apart at a glance."""
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
