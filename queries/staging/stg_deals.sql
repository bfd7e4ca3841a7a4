-- Deals export, typed: the generic deal columns cast, won/closed derived from the stage
-- when the export leaves them blank.
-- Grain: one row per deal_id (the import guarantees deal_id is present and unique).
-- Parameters: none. Reads raw_deals (every column text, as exported).

with

source as (
    select * from raw_deals
),

typed as (
    select
        trim(deal_id) as deal_id,
        nullif(trim(lead_id), '') as lead_id,
        nullif(lower(trim(email)), '') as email,
        cast(trim(created_at) as timestamp) as created_at,
        nullif(trim(stage), '') as stage,
        cast(nullif(trim(is_won), '') as boolean) as is_won,
        cast(nullif(trim(is_closed), '') as boolean) as is_closed,
        cast(nullif(trim(amount), '') as decimal(18, 2)) as amount,
        nullif(upper(trim(currency)), '') as currency,
        cast(nullif(trim(closed_at), '') as timestamp) as closed_at,
        nullif(trim(owner), '') as owner,
    from source
),

final as (
    select
        deal_id,
        lead_id,
        email,
        created_at,
        stage,
        coalesce(is_won, lower(stage) in ('closed won', 'won'), false) as is_won,
        coalesce(
            is_closed,
            lower(stage) like 'closed%' or lower(stage) in ('won', 'lost'),
            false
        ) as is_closed,
        amount,
        currency,
        closed_at,
        owner,
    from typed
)

select * from final
