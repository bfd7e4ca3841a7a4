"""The upload page takes a spend export like any other (AppTest, real files): a Google Ads
report recognised, checked, loaded and in the history; a sheet no preset knows read as spend
once the page is told, its columns mapped by hand."""

import pytest

from tests.test_import_corpus import CORPUS
from tests.test_upload_page import (  # noqa: F401 (own_db is a fixture, used by name)
    go_to,
    open_app,
    open_upload_page,
    own_db,
    table_with,
    texts,
    upload_files,
)

UPLOAD_PAGE = "pages/upload.py"
# Line 3 spends less than nothing: rejected.
COSTS_SHEET = "when,what,paid\n2026-10-01,Expo Utrecht,2500.00\n2026-10-02,Expo Utrecht,-5\n"


@pytest.mark.usefixtures("own_db")
def test_a_google_ads_report_is_recognised_loaded_and_in_the_history():
    at = go_to(open_app(), UPLOAD_PAGE)
    data = (CORPUS / "google_ads_campaigns.csv").read_bytes()
    upload_files(at, ("google_ads_campaigns.csv", data))
    assert "Recognised as a Google Ads campaign report (spend)." in texts(at.caption)
    assert (
        "**8 data lines in google_ads_campaigns.csv = 5 rows to load + 0 rejected + 3 totals "
        "rows (lines 9, 10, 11).**"
    ) in texts(at.markdown)
    at.button(key="upload_commit").click().run()
    assert not at.exception, at.exception
    # The sample is uploads 1-4 (leads, deals, touches, spend); 5 removed it.
    assert any(
        "Loaded 5 spend rows from google_ads_campaigns.csv as upload 6 (merge)." in message
        for message in texts(at.success)
    )
    history = table_with(at, "Upload")
    assert history[["Upload", "Kind", "File"]].values.tolist()[0] == [
        6,
        "spend",
        "google_ads_campaigns.csv",
    ]
    # Spend alone, no lead or deal yet: the overview says nothing is loaded to count, not a
    # failure, and not that the filters match nothing.
    go_to(at, "dashboard.py")
    assert not at.error
    said = " ".join(texts(at.info))
    assert "No leads or deals export is loaded, so there is nothing to count here yet" in said
    assert "No leads or deals match these filters." not in said


@pytest.mark.usefixtures("own_db")
def test_a_sheet_no_preset_knows_is_read_as_spend_when_told():
    at = open_upload_page()
    upload_files(at, ("costs.csv", COSTS_SHEET))
    assert any("No preset or saved mapping recognises" in info for info in texts(at.info))
    offered = at.selectbox(key="upload_kind_costs.csv").options  # as the page labels them
    assert any(option.startswith("Spend (ad platforms") for option in offered)
    at.selectbox(key="upload_kind_costs.csv").set_value("spend").run()
    field = "upload_map_costs.csv_spend_{}".format
    at.selectbox(key=field("date_from")).set_value("when")
    at.selectbox(key=field("amount")).set_value("paid")
    at.selectbox(key=field("campaign")).set_value("what")
    at.run()
    assert not at.exception, at.exception
    assert "**2 data lines in costs.csv = 1 row to load + 1 rejected.**" in texts(at.markdown)
    problems = table_with(at, "reason")
    assert problems[["severity", "column", "lines"]].values.tolist() == [["error", "paid", "3"]]


@pytest.mark.usefixtures("own_db")
@pytest.mark.parametrize(
    ("file_name", "label", "count_rows"),
    [
        # Two campaigns, each one row over November.
        ("meta_ads_manager.csv", "Meta Ads Manager export", 2),
        # UTF-16, tab-separated, title lines above the header: three campaign days.
        ("linkedin_campaign_manager.csv", "LinkedIn Campaign Manager export", 3),
    ],
)
def test_the_other_ad_platforms_downloads_load_through_the_page(file_name, label, count_rows):
    at = open_upload_page()
    upload_files(at, (file_name, (CORPUS / file_name).read_bytes()))
    assert f"Recognised as a {label} (spend)." in texts(at.caption)
    at.button(key="upload_commit").click().run()
    assert not at.exception, at.exception
    assert any(
        f"Loaded {count_rows} spend rows from {file_name} as upload 6 (merge)." in message
        for message in texts(at.success)
    ), texts(at.success)


# A Google Ads report downloaded without its Currency code column, and a deals export in CHF
# (two deals) and EUR (one), chosen together, the spend first.
GOOGLE_ADS_WITHOUT_CURRENCY = (
    "Campaign report\n"
    '"November 1, 2026 - November 2, 2026"\n'
    "Day,Campaign,Campaign ID,Cost,Clicks\n"
    "2026-11-01,Brand NL,11111111,120.50,31\n"
    "2026-11-02,Brand NL,11111111,101.00,28\n"
)
DEALS_IN_CHF_AND_EUR = (
    "deal_id,created_at,amount,currency\n"
    "D1,2026-11-01,100.00,CHF\n"
    "D2,2026-11-02,50.00,CHF\n"
    "D3,2026-11-02,75.00,EUR\n"
)


@pytest.mark.usefixtures("own_db")
def test_spend_stating_no_currency_is_warned_of_beside_the_deals_of_its_own_batch(monkeypatch):
    """The database holds the sample, which this batch removes, so only the batch's deals
    state a currency. Before, the spend was checked before them and nothing was said; the ROI
    page then refused its channel's sums as several currencies."""
    monkeypatch.delenv("REVCYCLE_CURRENCY", raising=False)
    at = open_upload_page()
    spend = ("google-ads.csv", GOOGLE_ADS_WITHOUT_CURRENCY)
    upload_files(at, spend, ("deals.csv", DEALS_IN_CHF_AND_EUR))
    said = [text for text in texts(at.warning) if "no currency" in text]
    # Both days have a cost; CHF has the most rows, so it is the example.
    assert said == [
        "2 amounts state no currency (nor does REVCYCLE_CURRENCY), while the deals and spend "
        "loaded or in this batch are in CHF and EUR: they are of no known currency, so never "
        "added to those. Give the file's currency as a fixed value (currency=CHF; on the "
        "command line --set currency=CHF)."
    ]
    # What loading does to the sample is said once for the batch, where it loads; each file's
    # preview said it before.
    said = [text for text in texts(at.warning) if "holds the bundled sample" in text]
    assert len(said) == 1 and "Loading these files removes the sample first" in said[0]
    # Alone, over the sample, it has nothing to be told apart from.
    upload_files(at, spend)
    assert not [text for text in texts(at.warning) if "no currency" in text]
    said = [text for text in texts(at.warning) if "holds the bundled sample" in text]
    assert len(said) == 1 and "Loading this file removes the sample first" in said[0]
