-- Leads export, typed: the generic lead columns cast to their types, blanks made null.
-- Grain: one row per lead_id (the import guarantees lead_id is present and unique).
-- Parameters: none. Reads raw_leads (every column text, as exported).

with

source as (
    select * from raw_leads
),

final as (
    select
        trim(lead_id) as lead_id,
        cast(trim(created_at) as timestamp) as created_at,
        nullif(trim(channel), '') as source,
        lower(regexp_replace(trim(channel), '[^A-Za-z0-9]+', '_', 'g')) as source_key,
        nullif(trim(campaign), '') as campaign,
        nullif(trim(owner), '') as owner,
        nullif(trim(segment), '') as segment,
        nullif(trim(country), '') as country,
        nullif(lower(trim(email)), '') as email,
        nullif(trim(company), '') as company,
        cast(nullif(trim(mql_at), '') as timestamp) as mql_at,
        cast(nullif(trim(sql_at), '') as timestamp) as sql_at,
        cast(nullif(trim(owner_assigned_at), '') as timestamp) as owner_assigned_at,
        cast(nullif(trim(first_contacted_at), '') as timestamp) as first_contacted_at,
        nullif(trim(status), '') as status,
        nullif(trim(disqualified_reason), '') as disqualified_reason,
        nullif(trim(converted_deal_id), '') as converted_deal_id,
    from source
)

select * from final
