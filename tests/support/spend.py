"""Loading spend exports in tests as the upload page and the CLI do (prepare, then commit), and
reading stg_spend back; write the files with tests.conftest.write_export(path, "spend", rows)."""

from pathlib import Path

from revcycle.importer.load import commit_upload
from revcycle.importer.validate import PreparedUpload, prepare


def load_spend(con, path: Path, mode: str = "merge", **options) -> tuple[PreparedUpload, int]:
    """Check and load a spend export; (what was prepared, the upload's id or None)."""
    prepared = prepare(con, path, kind="spend", **options)
    upload_id, _ = commit_upload(
        con, "spend", prepared.rows, mode, prepared.meta(), changed_by="test"
    )
    return prepared, upload_id


def staged_spend(con) -> list[tuple]:
    """stg_spend as (day 'YYYY-MM-DD', channel, campaign, amount as text, currency) rows."""
    return con.execute(
        "select strftime(spend_date, '%Y-%m-%d'), channel, campaign, amount::varchar, currency "
        "from stg_spend order by spend_date, channel, campaign"
    ).fetchall()
