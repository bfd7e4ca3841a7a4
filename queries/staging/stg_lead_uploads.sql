-- Which upload each loaded lead's row comes from: the newest loaded upload that has its id,
-- as raw_leads picks it (see revcycle/importer/load.py), with whether that file recorded each
-- measured date at all.
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

lead_upload as (
    select
        rows_loaded.lead_id,
        rows_loaded.upload_id,
    from rows_loaded
    left join newest_upload_by_id
        on rows_loaded.lead_id = newest_upload_by_id.lead_id
    where newest_upload_by_id.upload_id is null
        or newest_upload_by_id.upload_id = rows_loaded.upload_id
),

final as (
    select
        lead_upload.lead_id,
        lead_upload.upload_id,
        recorded_by_upload.has_contact_data,
        recorded_by_upload.has_mql_data,
        recorded_by_upload.has_sql_data,
        recorded_by_upload.has_lifecycle_data,
    from lead_upload
    left join recorded_by_upload
        on lead_upload.upload_id = recorded_by_upload.upload_id
)

select * from final
