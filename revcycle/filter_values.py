"""What a view can be narrowed to: the channels, owners and segments in the data
(queries/metrics/filter_values.sql), read the same way by the sidebar, the command line and
the cost and return. ``query`` is how the caller runs a named query (the page's cached ``run``,
or the command line's ``execute`` on its connection).

A channel may be one no lead or deal has: a touch's alone (Direct, Paid social), which
attribution credits, or spend's alone (a campaign that brought no lead), which costs. It is
offered with the others; the pages that follow leads and deals by their source say why they
have nothing for it, and the lead source model cannot credit it.
"""

DIMENSIONS = ("channel", "owner", "segment")


def offered(query) -> dict[str, list[str]]:
    """Per dimension of DIMENSIONS, its values: the leads' and deals', busiest first, then
    (channels) those only touches or spend have."""
    values = query("metrics/filter_values")
    return {
        dimension: values.loc[values["dimension"] == dimension, "dimension_value"].tolist()
        for dimension in DIMENSIONS
    }


def not_lead_sources(query) -> set[str]:
    """The channels no lead or deal has: only touches' or spend's."""
    values = query("metrics/filter_values")
    is_other = (values["dimension"] == "channel") & ~values["is_lead_source"].astype(bool)
    return set(values.loc[is_other, "dimension_value"])


def chooses_none_of_the_lead_sources(chosen, not_lead_sources) -> bool:
    """Whether channels are ``chosen`` and each is one of ``not_lead_sources``: a view that
    follows leads and deals by their source then has nothing to show."""
    return bool(chosen) and set(chosen) <= set(not_lead_sources)


def without_leads(query) -> set[str]:
    """The channels no lead has: those no lead or deal has, and "(no lead)" or a channel only
    deals without a lead come from. A page that follows leads alone has nothing for them."""
    values = query("metrics/filter_values")
    is_other = (values["dimension"] == "channel") & ~values["has_leads"].astype(bool)
    return set(values.loc[is_other, "dimension_value"])


# What a view that chose such channels says of them; {words} from channel_words.
NOT_LEAD_SOURCES = "{listed} {is_not_a_source}: no lead or deal has {it}, only touches or spend."
OTHERS_SHOWN = "The leads and deals here are the other chosen channels'."


def channel_words(channels: tuple[str, ...]) -> dict[str, str]:
    """The channels in words, as written, and the words that go with them, for
    NOT_LEAD_SOURCES and the sentences after it ({it}, {they}, {its}, {Its})."""
    if len(channels) == 1:
        listed, words = channels[0], ("is not a lead source", "it", "it", "its", "Its")
    else:
        listed = ", ".join(channels[:-1]) + " and " + channels[-1]
        words = ("are not lead sources", "them", "they", "their", "Their")
    return {
        "listed": listed,
        **dict(zip(("is_not_a_source", "it", "they", "its", "Its"), words, strict=True)),
    }
