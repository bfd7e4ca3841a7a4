-- Deal journeys in view: the touches of the deals attribution credits under the page's
-- period and filters. Basis 'revenue': the deals won in the period (by win date); 'pipeline':
-- those created in it and still open. With cohort, the deals of the leads created in the
-- period instead, converted at any time (deals with no lead belong to no cohort). Owners and
-- segments choose the deals; the channel filter is not applied here: it narrows the channels
-- credit is shown for, not the deals (attribution/report.py).
-- Grain: as deal_journeys (one row per touch of a deal).
-- Parameters: the macro arguments credit_basis ('revenue' or 'pipeline'), start_date,
-- end_date (dates, both included), owners, segments (lists of values to keep, or null for
-- all) and of_cohort (boolean), bound by the calling query.
-- Defined by `python -m revcycle build` after deal_journeys is materialised.

create or replace macro deal_journeys_in_view(
    credit_basis, start_date, end_date, owners, segments, of_cohort
) as table

with

journeys as (
    select * from deal_journeys
),

final as (
    select * from journeys
    where basis = credit_basis
        and is_in_period(
            case when of_cohort then lead_created_at else converted_at end, start_date, end_date
        )
        and (owners is null or list_contains(owners, owner))
        and (segments is null or list_contains(segments, segment))
)

select * from final
