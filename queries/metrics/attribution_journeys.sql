-- The journeys whose deals attribution shares out: the touches of the deals won in the period
-- (basis 'revenue', by win date) or created in it and still open (basis 'pipeline'); or, with
-- $cohort, the deals of the leads created in the period, won (or still open) at any time, so
-- a period's spend can be set against all its leads brought in later (deals with no lead
-- belong to no cohort).
-- Grain: one row per touch of a deal, as deal_journeys, in deal and position order.
-- The deals are deal_journeys_in_view's: the channel filter is not applied here, as it narrows
-- the channels credit is shown for, not the deals (report.py applies it).
-- Parameters: $basis ('revenue' or 'pipeline'); $start_date, $end_date (dates, both included);
-- $owners, $segments (lists of values to keep, or null for all); $cohort (boolean: the period
-- chooses the leads' creation, not the deals' conversion).

with

journeys as (
    select *
    from deal_journeys_in_view($basis, $start_date, $end_date, $owners, $segments, $cohort)
),

final as (
    select
        deal_id,
        basis,
        amount_cents,
        has_amount,
        currency,
        lead_id,
        lead_created_at,
        lead_source_channel,
        position,
        channel,
        touched_at,
        converted_at,
        days_before_conversion,
        is_direct,
        milestone,
    from journeys
)

select * from final
order by deal_id, position
