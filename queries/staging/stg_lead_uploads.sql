-- Whether each loaded leads upload recorded each measured date at all. raw_leads takes each
-- field from the newest upload with a column for it (see revcycle/importer/load.py), and
-- carries that upload's id; a lead later uploads have too is stg_merged_leads'.
-- Grain: one row per loaded leads upload.
-- Parameters: none. Reads upload_rows_leads, narrowed to the loaded uploads.
-- A field counts as recorded when the upload mapped a column to it; for uploads from before
-- the mapping was kept, when any of its rows has a value. The SQL is recorded by a date column
-- or by a conversion flag (Salesforce's Converted: a converted lead's date then comes from its
-- deal); has_lifecycle_data says the upload has a lifecycle stage, which tells whether a lead
-- reached MQL or SQL even without a date. has_creation_time says whether the upload gives the
-- time of day its leads came in: some lead of it created at another moment than midnight (an
-- export of creation dates alone, as many a report gives, has none; the follow-up then knows
-- only each lead's day).

with

loaded as (
    select upload_id from loaded_uploads where kind = 'leads'
),

rows_loaded as not materialized (
    select * from upload_rows_leads
    where upload_id in (select upload_id from loaded)
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
        coalesce(bool_or(not is_date_only(rows_loaded.created_at)), false) as has_creation_time,
    from rows_loaded
    left join uploads
        on rows_loaded.upload_id = uploads.upload_id
    group by rows_loaded.upload_id
),

final as (
    select * from recorded_by_upload
)

select * from final
