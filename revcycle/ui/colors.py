"""One colour per channel on every chart, from a colour-blind-safe palette."""

import hashlib

# Paul Tol's "muted" scheme: distinguishable with the common colour-vision deficiencies.
PALETTE = (
    "#332288",
    "#117733",
    "#DDCC77",
    "#CC6677",
    "#88CCEE",
    "#882255",
    "#44AA99",
    "#AA4499",
    "#999933",
)
CHANNEL_COLORS = {
    "Paid search": "#332288",
    "Organic search": "#117733",
    "Content marketing": "#DDCC77",
    "Website contact form": "#CC6677",
    "Trade show": "#882255",
    "Referral": "#88CCEE",
    "Email": "#44AA99",
    "Partner": "#AA4499",
    "(no lead)": "#555555",
    "(unknown)": "#9E9E9E",
    "(unmapped)": "#C8C8C8",
    "(all channels)": "#222222",
}


def channel_color(channel: str) -> str:
    """The fixed colour of ``channel``; a channel added by a rule gets a stable palette colour."""
    if channel in CHANNEL_COLORS:
        return CHANNEL_COLORS[channel]
    digest = hashlib.sha256(channel.encode("utf-8")).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def color_map(channels) -> dict[str, str]:
    """``color_discrete_map`` for Plotly Express over the given channels."""
    return {channel: channel_color(channel) for channel in channels}
