-- The journeys whose deals attribution shares out: the touches of the deals won in the period
-- (basis 'revenue', by win date) or created in it and still open (basis 'pipeline').
-- Grain: one row per touch of a deal, as deal_journeys, in deal and position order.
-- The channel filter is not applied here: it narrows the channels credit is shown for, not the
-- deals, so the report applies it to the credited channels (report.py).
-- Parameters: $basis ('revenue' or 'pipeline'); $start_date, $end_date (dates, both included);
-- $owners, $segments (lists of values to keep, or null for all).

with

journeys as (
    select * from deal_journeys
),

final as (
    select
        deal_id,
        basis,
        amount_cents,
        currency,
        lead_id,
        position,
        channel,
        touched_at,
        converted_at,
        is_direct,
        milestone,
    from journeys
    where basis = $basis
        and is_in_period(converted_at, $start_date, $end_date)
        and ($owners is null or list_contains($owners, owner))
        and ($segments is null or list_contains($segments, segment))
)

select * from final
order by deal_id, position
