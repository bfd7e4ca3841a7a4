-- What no period can show: won deals whose export gives no close date. Won revenue counts a
-- deal in the period it closed in, so such a deal is in no period, "All time" included; the
-- pages say how many there are instead of letting their revenue vanish silently.
-- Grain: one row.
-- Parameters: $channels, $owners, $segments (lists of values to keep, or null for all).

with

deals as (
    select * from funnel_deals_in_scope($channels, $owners, $segments)
),

final as (
    select
        count(*) filter (where is_won and closed_at is null) as count_won_without_close_date,
    from deals
)

select * from final
