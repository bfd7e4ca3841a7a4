-- Each loaded lead's newest loaded upload, and whether its loaded uploads recorded each
-- measured date at all: raw_leads takes each field from the newest upload with a column for it
-- (see revcycle/importer/load.py), so a date counts as recorded when any of them recorded it.
-- Grain: one row per loaded lead_id.
-- Parameters: none. Reads upload_rows_leads, narrowed to the loaded uploads; a lead only in
-- the oldest loaded upload is not grouped, as in raw_leads, so a single replace costs a scan.
-- A field counts as recorded when the upload mapped a column to it; for uploads from before
-- the mapping was kept, when any of its rows has a value. The SQL is recorded by a date column
-- or by a conversion flag (Salesforce's Converted: a converted lead's date then comes from its
-- deal); has_lifecycle_data says the upload has a lifecycle stage, which tells whether a lead
-- reached MQL or SQL even without a date.

with

loaded as (
    select upload_id from loaded_uploads where kind = 'leads'
),

rows_loaded as not materialized (
    select * from upload_rows_leads
    where upload_id in (select upload_id from loaded)
),

newest_upload_by_id as (
    select
        lead_id,
        max(upload_id) as upload_id,
    from rows_loaded
    where upload_id > (select min(upload_id) from loaded)
    group by lead_id
),

recorded_by_upload as (
    select
        rows_loaded.upload_id,
        coalesce(
            list_contains(any_value(uploads.fields), 'first_contacted_at'),
            count(rows_loaded.first_contacted_at) > 0
        ) as has_contact_data,
        coalesce(
            list_contains(any_value(uploads.fields), 'mql_at'),
            count(rows_loaded.mql_at) > 0
        ) as has_mql_data,
        coalesce(
            list_has_any(any_value(uploads.fields), ['sql_at', 'is_converted']),
            count(rows_loaded.sql_at) > 0 or count(rows_loaded.is_converted) > 0
        ) as has_sql_data,
        coalesce(
            list_contains(any_value(uploads.fields), 'lifecycle_stage'),
            count(rows_loaded.lifecycle_stage) > 0
        ) as has_lifecycle_data,
    from rows_loaded
    left join uploads
        on rows_loaded.upload_id = uploads.upload_id
    group by rows_loaded.upload_id
),

-- A lead only the oldest loaded upload has: that upload's record, as it is.
oldest_only as (
    select
        rows_loaded.lead_id,
        rows_loaded.upload_id,
    from rows_loaded
    where rows_loaded.lead_id not in (select lead_id from newest_upload_by_id)
),

-- A lead later uploads have too: raw_leads takes each field from the newest upload with a
-- column for it, so a date is recorded when any of its loaded uploads recorded it.
later_uploads as (
    select
        rows_loaded.lead_id,
        rows_loaded.upload_id,
    from rows_loaded
    where rows_loaded.lead_id in (select lead_id from newest_upload_by_id)
),

final as (
    select
        oldest_only.lead_id,
        oldest_only.upload_id,
        recorded_by_upload.has_contact_data,
        recorded_by_upload.has_mql_data,
        recorded_by_upload.has_sql_data,
        recorded_by_upload.has_lifecycle_data,
    from oldest_only
    left join recorded_by_upload
        on oldest_only.upload_id = recorded_by_upload.upload_id
    union all
    select
        later_uploads.lead_id,
        max(later_uploads.upload_id) as upload_id,
        bool_or(recorded_by_upload.has_contact_data) as has_contact_data,
        bool_or(recorded_by_upload.has_mql_data) as has_mql_data,
        bool_or(recorded_by_upload.has_sql_data) as has_sql_data,
        bool_or(recorded_by_upload.has_lifecycle_data) as has_lifecycle_data,
    from later_uploads
    left join recorded_by_upload
        on later_uploads.upload_id = recorded_by_upload.upload_id
    group by later_uploads.lead_id
)

select * from final
