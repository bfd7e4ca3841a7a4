-- Each lead an upload after the oldest loaded one has too (a weekly merge's leads), and
-- whether any of its loaded uploads recorded each measured date: raw_leads takes each field
-- from the newest upload with a column for it, so a date is recorded when any of them
-- recorded it. A lead only the oldest loaded upload has is not here: its upload's record
-- (stg_lead_uploads) is its own, so a single replace groups nothing.
-- Grain: one row per lead_id some later loaded upload has.
-- Parameters: none. Reads upload_rows_leads, narrowed to the loaded uploads (those of
-- stg_lead_uploads).

with

-- One row per loaded leads upload: the loaded uploads, and what each recorded.
lead_uploads as (
    select * from stg_lead_uploads
),

later_leads as (
    select distinct lead_id
    from upload_rows_leads
    where upload_id in (select upload_id from lead_uploads)
        and upload_id > (select min(upload_id) from lead_uploads)
),

final as (
    select
        loaded_rows.lead_id,
        bool_or(lead_uploads.has_contact_data) as has_contact_data,
        bool_or(lead_uploads.has_mql_data) as has_mql_data,
        bool_or(lead_uploads.has_sql_data) as has_sql_data,
        bool_or(lead_uploads.has_lifecycle_data) as has_lifecycle_data,
    from upload_rows_leads as loaded_rows
    join lead_uploads
        on loaded_rows.upload_id = lead_uploads.upload_id
    semi join later_leads
        on loaded_rows.lead_id = later_leads.lead_id
    group by loaded_rows.lead_id
)

select * from final
