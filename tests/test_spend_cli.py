"""`python -m revcycle load FILE --kind spend` as a scheduled job runs it, then history and
restore: the Google Ads report from the corpus into a new database."""

from revcycle.db import connect
from tests.test_cli_load import revcycle  # noqa: F401 (a fixture, used by name)
from tests.test_import_corpus import CORPUS

GOOGLE_ADS = CORPUS / "google_ads_campaigns.csv"


def total_spend(db) -> str:
    con = connect(db)
    try:
        return con.execute("select coalesce(sum(amount), 0)::varchar from stg_spend").fetchall()
    finally:
        con.close()


def test_load_kind_spend_reads_the_preset_and_commits(tmp_path, revcycle):  # noqa: F811
    db = tmp_path / "new.duckdb"
    code, out = revcycle(db, "load", GOOGLE_ADS, "--kind", "spend")
    assert code == 0, out
    assert "read google_ads_campaigns.csv as spend: Google Ads campaign report" in out
    assert "source ← Google Ads (from the Google Ads campaign report preset)" in out
    assert "dropped the totals rows on lines 9-11" in out
    assert "merge: 5 new, 0 changed, 0 unchanged" in out
    assert "loaded as upload 1" in out
    # 1,204.50 + 85.25 + 1,010.00 + 0.00 + 990.75.
    assert total_spend(db) == [("3290.50",)]


def test_without_kind_the_preset_is_detected_and_history_lists_spend(tmp_path, revcycle):  # noqa: F811
    db = tmp_path / "new.duckdb"
    code, out = revcycle(db, "load", GOOGLE_ADS)
    assert code == 0 and "as spend: Google Ads campaign report" in out
    code, out = revcycle(db, "history")
    assert code == 0
    assert "spend    google_ads_campaigns.csv — 5 loaded, 0 rejected; 5 new, 0 changed" in out


def test_restore_undoes_a_spend_upload(tmp_path, revcycle):  # noqa: F811
    db = tmp_path / "new.duckdb"
    revcycle(db, "load", GOOGLE_ADS)
    meta = CORPUS / "meta_ads_manager.csv"
    code, out = revcycle(db, "load", meta)
    assert code == 0 and "`python -m revcycle restore 1` undoes it" in out
    # 3,290.50 from Google Ads + 1,500.00 + 299.99 from Meta.
    assert total_spend(db) == [("5090.49",)]
    code, out = revcycle(db, "restore", "1")
    assert code == 0, out
    assert total_spend(db) == [("3290.50",)]


def test_a_spend_file_with_defects_names_each_line(tmp_path, revcycle):  # noqa: F811
    defects = CORPUS / "spend_defects_decimal_comma.csv"
    code, out = revcycle(tmp_path / "new.duckdb", "load", defects, "--dry-run")
    assert code == 0, out
    assert "7 data lines in spend_defects_decimal_comma.csv = 2 rows to load + 5 rejected" in out
    assert "line 4, column date_to ('2026-03-09'): date_to is before date_from" in out
    assert "Traceback" not in out


def test_the_meta_and_linkedin_downloads_load_from_the_command_line(tmp_path, revcycle):  # noqa: F811
    db = tmp_path / "new.duckdb"
    code, out = revcycle(db, "load", CORPUS / "meta_ads_manager.csv")
    assert code == 0 and "as spend: Meta Ads Manager export" in out, out
    code, out = revcycle(db, "load", CORPUS / "linkedin_campaign_manager.csv", "--kind", "spend")
    assert code == 0 and "as spend: LinkedIn Campaign Manager export" in out, out
    # Meta 1,500.00 + 299.99 over November; LinkedIn 410.12 + 95.50 + 388.00.
    assert total_spend(db) == [("2693.61",)]
