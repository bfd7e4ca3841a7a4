-- Data coverage: for each date the pages measure, the share of loaded leads that have it, per
-- upload, so a file with no first-contact column reads "no column", not "never contacted".
-- Grain: one row per loaded upload of leads and date field (mql_at, sql_at,
-- first_contacted_at), in upload order. A lead counts under the upload its row comes from.
-- share_with_date is null when the upload has no column for the field.
-- Parameters: none.

with

funnel as (
    select * from funnel_revenue
    where has_lead
),

uploads as (
    select * from stg_uploads
),

per_upload as (
    select
        upload_id,
        count(*) as count_leads,
        count(mql_at) as count_mql_at,
        count(sql_at) as count_sql_at,
        count(first_contacted_at) as count_first_contacted_at,
        bool_or(has_mql_data) as has_mql_at,
        bool_or(has_sql_data) as has_sql_at,
        bool_or(has_contact_data) as has_first_contacted_at,
    from funnel
    group by upload_id
),

per_field as (
    select upload_id, count_leads, 1 as field_order, 'mql_at' as field,
        has_mql_at as has_column, count_mql_at as count_with_date,
    from per_upload
    union all
    select upload_id, count_leads, 2, 'sql_at', has_sql_at, count_sql_at,
    from per_upload
    union all
    select upload_id, count_leads, 3, 'first_contacted_at', has_first_contacted_at,
        count_first_contacted_at,
    from per_upload
),

final as (
    select
        per_field.upload_id,
        uploads.file_name,
        uploads.uploaded_at,
        per_field.field,
        per_field.field_order,
        per_field.has_column,
        per_field.count_leads,
        per_field.count_with_date,
        case when per_field.has_column then per_field.count_with_date / per_field.count_leads end
            as share_with_date,
    from per_field
    left join uploads
        on per_field.upload_id = uploads.upload_id
)

select * from final
order by upload_id, field_order
