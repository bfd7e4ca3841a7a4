-- How many of the deals attribution credits in the view have no amount in the export (each
-- is credited 0, which is not its worth), and how many it credits: the deals of
-- attribution_journeys, counted without fetching their touches.
-- Grain: one row.
-- Parameters: as attribution_journeys: $basis ('revenue' or 'pipeline'); $start_date,
-- $end_date (dates, both included); $owners, $segments (lists of values to keep, or null for
-- all); $cohort (boolean: the period chooses the leads' creation).

with

journeys as (
    select *
    from deal_journeys_in_view($basis, $start_date, $end_date, $owners, $segments, $cohort)
),

-- A deal's first touch stands for the deal: every deal has one.
deals as (
    select * from journeys
    where position = 0
),

final as (
    select
        count(*) filter (where not has_amount) as count_deals_without_amount,
        count(*) as count_deals,
    from deals
)

select * from final
