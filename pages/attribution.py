"""Attribution: each channel's share of the revenue (or pipeline) under the model chosen, every
model side by side, how much a channel's credit depends on the model, and its typical journeys."""

import streamlit as st

from revcycle import settings
from revcycle.attribution import report
from revcycle.attribution.models import MODEL_NAMES, MODEL_SENTENCES, MODELS
from revcycle.ui import attribution, format, money, page, tables
from revcycle.ui.charts import as_text, bar_by_channel
from revcycle.ui.filters import linked_choice

BASES = {"revenue": "Won revenue", "pipeline": "Open pipeline"}


def credited_per_currency(model: str, basis: str, params: dict, colors: dict) -> None:
    """The chosen model's credit per channel in each currency, for amounts in several: the
    tiles and shares above add none of them up. A chart per currency, two side by side."""
    credited = attribution.per_currency(model, basis, params)
    if credited.empty:
        return
    st.subheader(f"{BASES[basis]} credited per currency")
    shown = credited.assign(
        currency=credited["currency"].fillna(settings.NO_CURRENCY),
        # Credited only deals without an amount: unknown, not 0.
        credited_amount=(credited["credited_cents"] / 100).where(credited["is_amount_known"]),
    )
    codes = list(dict.fromkeys(shown["currency"]))
    for start in range(0, len(codes), 2):
        for at, column in enumerate(st.columns(2)[: len(codes) - start], start=start):
            code = codes[at]
            title = f"{BASES[basis]} credited by {MODEL_NAMES[model].lower()}, {as_text(code)}"
            column.plotly_chart(
                bar_by_channel(
                    shown[shown["currency"] == code].dropna(subset=["credited_amount"]),
                    "credited_amount",
                    title,
                    code,
                    colors,
                ),
                key=f"attribution_currency_bar_{at}",
            )
    tables.show(
        shown,
        {
            "channel": ("Channel", "text"),
            "currency": ("Currency", "text"),
            "credited_deals": ("Credited deals", "in_part"),
            "credited_amount": ("Credited amount", "cents"),
        },
        key="attribution_per_currency",
        missing={"credited_amount": "no amount"} if shown["credited_amount"].isna().any() else None,
    )
    st.caption(
        f"Each currency's amounts as the chosen model ({MODEL_NAMES[model]}) credits them, "
        "never added across currencies: a currency's rows add up to its deals' amounts, to the "
        "cent."
    )


def models_side_by_side(wide, currency: money.Currency, trust_ok: bool) -> None:
    """Every model's credit per channel (``wide``); for amounts in several currencies, which
    are never added, per channel and currency: a model's amounts in a currency add up to its
    deals'."""
    mixed = currency.is_mixed
    side = wide.assign(
        **{name: wide[name] / 100 for name in MODELS}, spread=wide["spread_cents"] / 100
    )
    if mixed:
        side["currency"] = side["currency"].fillna(settings.NO_CURRENCY)
    markov_label = MODEL_NAMES["markov"] + ("" if trust_ok else " (not to be trusted)")
    columns = {
        "channel": ("Channel", "text"),
        **({"currency": ("Currency", "text")} if mixed else {}),
        **{
            # To the cent: each model's column adds up to the booked amount.
            name: (markov_label if name == "markov" else MODEL_NAMES[name], "cents")
            for name in MODELS
        },
        "spread": ("Spread", "euro"),
        "spread_share": ("Spread ÷ highest", "percent"),
    }
    # A model that credits the channel only deals without an amount: unknown, and the spread.
    unknown = {name: "no amount" for name in MODELS if side[name].isna().any()}
    tables.show(side, columns, key="attribution_models", money_unit=currency.unit, missing=unknown)
    if mixed:
        st.caption(
            "Each row's amounts are in its currency, never added across currencies: a model's "
            "amounts in one currency add up to that currency's deals."
        )


with page.frame("Attribution") as filters:
    params = filters.params()
    page.heading("Attribution", filters)

    # The model and the basis are part of the view, so of the link (?model=w&basis=pipeline).
    left, right = st.columns([2, 1])
    model = linked_choice(
        "model",
        "attribution_model",
        MODELS,
        "linear",
        "one model this page has",
        shown=MODEL_NAMES.get,
    )
    left.selectbox("Model", MODELS, format_func=MODEL_NAMES.get, key="attribution_model")
    basis = linked_choice(
        "basis", "attribution_basis", BASES, "revenue", "revenue or pipeline", shown=BASES.get
    )
    right.segmented_control("Credit", list(BASES), format_func=BASES.get, key="attribution_basis")
    st.caption(MODEL_SENTENCES[model])

    page.end_unless_loaded("deals", "deal_outcomes")
    currency = money.currency()
    # Amounts in several currencies are compared model by model within each currency.
    wide = attribution.side_by_side(basis, params, by_currency=currency.is_mixed)
    if basis == "revenue":
        page.undated_wins_note(params, has_won_tiles=False)
    page.stop_if_empty(wide)
    rows = attribution.one_model(model, basis, params)
    trust = attribution.markov_trust(basis, params)
    money.say(currency)
    unpriced, credited = attribution.deals_without_amount(basis, params)
    is_greyed = model == "markov" and not trust.ok
    if not trust.ok:
        # Why, in the engine's own sentences: said whenever Markov is on the screen.
        st.warning(
            "The data-driven (Markov) figures are greyed: they are not to be trusted here. "
            + format.plain(" ".join(trust.reasons)),  # they name channels: anyone's text
            icon=":material/warning:",
        )

    page.tiles(
        [
            (
                f"{BASES[basis]} credited",
                # Deals and none with an amount: the amount is unknown, not 0.
                currency.amount(
                    None if unpriced == credited > 0 else rows["credited_cents"].sum() / 100
                ),
                # Over every channel each model hands out the booked amount; the channels
                # chosen in the sidebar get what this model gives them, which models differ on.
                (
                    f"What {MODEL_NAMES[model].lower()} credits the channels chosen. Over every "
                    "channel, every model hands out the same amount, to the cent."
                    if params["channels"]
                    else "Every model hands out exactly this amount, to the cent."
                ),
            ),
            (
                "Deals credited",
                format.count_in_part(rows["credited_deals"].sum()),
                "Deals won in the period (or, for pipeline, created in it and open); a deal "
                "whose journey the channels shown only share counts in part.",
            ),
        ]
    )

    if unpriced_sentence := report.without_amount_sentence((unpriced, credited), basis):
        st.caption(unpriced_sentence)

    # A channel credited only deals without an amount: its amount is unknown, not 0.
    shown = rows.assign(
        credited_amount=(rows["credited_cents"] / 100).where(rows["is_amount_known"])
    )
    colors = page.channel_colors()
    if is_greyed:
        colors = dict.fromkeys(colors, attribution.UNTRUSTED)
    if not currency.is_mixed:
        st.plotly_chart(
            bar_by_channel(
                shown.dropna(subset=["credited_amount"]),
                "credited_amount",
                f"{BASES[basis]} credited by {MODEL_NAMES[model].lower()}",
                currency.unit,
                colors,
            ),
            key="attribution_chosen_bar",
        )
    tables.show(
        shown,
        money.columns(
            {
                "channel": ("Channel", "text"),
                "credited_deals": ("Credited deals", "in_part"),
                # To the cent: the channels' rows add up to the tile, the booked amount.
                "credited_amount": ("Credited amount", "cents"),
                # A share of amounts in several currencies would add them: left out with them.
                **({} if currency.is_mixed else {"share": ("Share", "percent")}),
            },
            currency,
        ),
        key="attribution_chosen",
        money_unit=currency.unit,
        missing={"credited_amount": "no amount"} if shown["credited_amount"].isna().any() else None,
    )
    st.caption(
        "Credited deals: each deal counts once, split over its channels as the model splits its "
        "amount, so a channel can have half a deal. Share: of everything credited in the period, "
        "whichever channels are shown."
    )
    if currency.is_mixed:
        credited_per_currency(model, basis, params, colors)

    st.header("Every model side by side")
    if not currency.is_mixed:
        st.plotly_chart(
            attribution.models_grouped(wide, currency.unit, trust.ok),
            key="attribution_models_bars",
        )
        st.plotly_chart(attribution.spread_bars(wide, currency.unit), key="attribution_spread_bars")
    models_side_by_side(wide, currency, trust.ok)
    st.caption(
        "Spread: the highest credit a model gives the channel minus the lowest. A channel with a "
        "large spread owes its figure to the model chosen more than to the data."
    )

    st.header("Typical journeys")
    # Part of the view: a shared link opens on the same journeys (?journeys=Direct).
    channels = wide["channel"].unique().tolist()
    channel = linked_choice("journeys", "journeys", channels, channels[0], "a channel credited")
    st.selectbox("Journeys through", channels, key="journeys")
    paths = attribution.top_paths(channel, basis, params)
    tables.show(
        paths.assign(amount=paths["amount_cents"] / 100),
        money.columns(
            {
                "path": ("Journey (channels in time order)", "text"),
                "count_touches": ("Touches", "count"),
                "count_deals": ("Deals", "count"),
                "amount": ("Amount", "euro"),
            },
            currency,
        ),
        key="attribution_paths",
        money_unit=currency.unit,
    )
    if len(paths) > 1 and paths["count_deals"].max() == 1:
        st.caption(
            "No two of these deals took the same journey, so none is typical: these are the "
            "ones worth the most."
        )
    st.caption(
        "The most common journeys (up to 10) of the credited deals that touched the channel, "
        "most deals first. A journey is the deal's touches up to its win (or creation, for "
        "pipeline); a lead with no touches loaded has one, its own lead source. Touches in "
        "one channel one after another are said once with their count (Email ×3)."
    )

    st.header("The models")
    for name in MODELS:
        st.markdown(f"**{MODEL_NAMES[name]}.** {MODEL_SENTENCES[name]}")
