-- What no period can show: won deals whose export gives no close date. Won revenue counts a
-- deal in the period it closed in, so such a deal is in no period, "All time" included; the
-- pages say how many there are instead of letting their revenue vanish silently.
-- Grain: one row.
-- Parameters: $channels, $owners, $segments (lists of values to keep, or null for all).

with

funnel as (
    select * from funnel_in_scope($channels, $owners, $segments)
),

deals as (
    -- Only rows with a won deal can hold one without a close date.
    select unnest(deals) as deal from funnel
    where count_won_deals > 0
),

final as (
    select
        count(*) filter (where deal.is_won and deal.closed_at is null)
            as count_won_without_close_date,
    from deals
)

select * from final
