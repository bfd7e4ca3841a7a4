"""The attribution page under AppTest on the sample: every model hands out the won revenue the
CSVs give, the model chooser and the channel filter change what is shown, Markov is greyed
with its reason when the period is too thin to trust it."""

import pytest

from tests import sample_facts
from tests.test_pages import db_env, euro_cents, open_page  # noqa: F401 (db_env: a fixture)
from tests.test_screen import shown_cells

pytestmark = pytest.mark.usefixtures("db_env")

PAGE = "pages/attribution.py"
CREDITED = "Won revenue credited"


def tile(at, label: str) -> str:
    return next(metric.value for metric in at.metric if metric.label == label)


def test_every_model_credits_the_samples_won_revenue():
    at = open_page(PAGE)
    expected = sample_facts.won_revenue_cents()  # to the cent, as the tile shows it
    assert euro_cents(tile(at, CREDITED)) == expected
    for model in ("first", "w", "markov"):
        at.selectbox(key="attribution_model").set_value(model).run()
        assert not at.exception and not at.error
        assert euro_cents(tile(at, CREDITED)) == expected, model
        assert at.query_params["model"] == model  # the link reproduces the view


def test_the_channels_credited_add_up_on_the_screen_to_the_samples_won_revenue():
    # Each channel's credited amount is shown to the cent, so the rows add up to the booked
    # amount exactly, for the chosen model and for every model side by side.
    at = open_page(PAGE)
    expected = sample_facts.won_revenue_cents()
    chosen = shown_cells(at, "Credited deals")["Credited amount (€)"]
    assert sum(euro_cents(cell) for cell in chosen) == expected
    side_by_side = shown_cells(at, "Spread (€)")
    for column in ("First touch (€)", "Last touch (€)", "Linear (€)", "W-shaped (€)"):
        assert sum(euro_cents(cell) for cell in side_by_side[column]) == expected, column


def test_side_by_side_and_journeys_are_drawn():
    at = open_page(PAGE)
    # The chosen model's bars, the grouped bars of every model, the spread.
    assert len(at.get("plotly_chart")) == 3
    headers = [header.value for header in at.header]
    assert {"Every model side by side", "Typical journeys", "The models"} <= set(headers)
    at.selectbox(key="journeys").set_value("Trade show").run()
    column = "Journey (channels in time order)"
    journeys = next(frame.value for frame in at.dataframe if column in frame.value.columns)
    # Every journey listed goes through the channel chosen, most deals first.
    assert all("Trade show" in path for path in journeys[column])
    assert journeys["Deals"].is_monotonic_decreasing


def test_a_link_opens_on_the_journeys_it_names_and_says_when_it_cannot():
    column = "Journey (channels in time order)"
    at = open_page(PAGE, journeys="Direct")  # a channel only touches have, in the sample
    assert at.selectbox(key="journeys").value == "Direct"
    journeys = next(frame.value for frame in at.dataframe if column in frame.value.columns)
    assert all("Direct" in path for path in journeys[column])
    at = open_page(PAGE, journeys="Nowhere")
    notes = [caption.value.replace("\\", "") for caption in at.sidebar.caption]
    assert any(
        "journeys 'Nowhere': not a channel credited, so Email is shown" in note for note in notes
    ), notes


def test_markov_is_greyed_with_its_reason_on_a_thin_period():
    # The default period, 12 weeks, holds far fewer than 300 won journeys.
    at = open_page(PAGE, model="markov")
    assert at.selectbox(key="attribution_model").value == "markov"
    warnings = " ".join(warning.value for warning in at.warning)
    assert "not to be trusted" in warnings
    assert "journeys ended in a win" in warnings


def test_a_link_with_an_unknown_model_falls_back_to_linear_and_says_so():
    at = open_page(PAGE, model="astrology")
    assert at.selectbox(key="attribution_model").value == "linear"
    notes = [caption.value.replace("\\", "") for caption in at.sidebar.caption]
    assert any("model 'astrology': not one model this page has, so Linear" in n for n in notes)


def test_a_link_naming_two_models_shows_the_first_and_says_so():
    at = open_page(PAGE, model=["first", "last"])
    assert at.selectbox(key="attribution_model").value == "first"
    notes = [caption.value.replace("\\", "") for caption in at.sidebar.caption]
    assert any("model 'first', 'last': not one model" in note for note in notes)


def test_impossible_filter_shows_the_empty_state():
    # Deals with no lead have no segment: no SMB deal is credited to "(no lead)".
    at = open_page(PAGE, channel=["(no lead)"], segment=["SMB"])
    assert any("No leads or deals match these filters" in info.value for info in at.info)
    assert len(at.get("plotly_chart")) == 0


def test_the_credit_basis_is_part_of_the_shared_link():
    # Open pipeline chosen in a link: the page opens on it and keeps it in its own link.
    at = open_page(PAGE, basis="pipeline")
    assert at.button_group(key="attribution_basis").value == "pipeline"
    assert any(metric.label == "Open pipeline credited" for metric in at.metric)
    assert at.query_params["basis"] == "pipeline"
    # A basis the page has not is said, and won revenue shown: the default, left out of the link.
    at = open_page(PAGE, basis="profit")
    assert at.button_group(key="attribution_basis").value == "revenue"
    assert "basis" not in at.query_params
    notes = [caption.value.replace("\\", "") for caption in at.sidebar.caption]
    assert any(
        "basis 'profit': not revenue or pipeline, so Won revenue is shown" in n for n in notes
    )


def test_the_credited_tile_says_what_it_is_when_channels_are_chosen():
    # Over every channel each model hands out the won revenue; one channel gets what the model
    # chosen gives it, which differs by model. Its tile said "Every model hands out exactly
    # this amount, to the cent" beside €1,333 under first touch and €1,287 under linear.
    every = "Every model hands out exactly this amount, to the cent."
    assert every in [caption.value for caption in open_page(PAGE).caption]
    at = open_page(PAGE, channel="Trade show", model="first")
    said = [caption.value for caption in at.caption]
    assert every not in said
    assert (
        "What first touch credits the channels chosen. Over every channel, every model hands "
        "out the same amount, to the cent."
    ) in said
