-- Leads as the funnel reads them: the loaded lead rows, renamed and keyed.
-- Grain: one row per lead_id (the importer guarantees lead_id is present and unique).
-- Parameters: none. Reads raw_leads, the loaded rows, which the importer has already typed,
-- trimmed and blanked (blank is null): no cast is left to do here.

with

source as (
    select * from raw_leads
),

final as (
    select
        lead_id,
        created_at,
        channel as source,
        source_key(channel) as source_key,
        campaign,
        owner,
        segment,
        country,
        lower(email) as email,
        company,
        mql_at,
        sql_at,
        owner_assigned_at,
        first_contacted_at,
        status,
        disqualified_reason,
        converted_deal_id,
        lifecycle_stage,
        lifecycle_stage_order(lifecycle_stage) as lifecycle_stage_order,
        is_converted,
        is_contacted,
        -- The newest loaded upload with the lead (stg_lead_uploads: what it recorded).
        upload_id,
    from source
)

select * from final
