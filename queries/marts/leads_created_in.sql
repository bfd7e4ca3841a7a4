-- Leads created in a period, within the shared filters: the population of every per-lead
-- metric (follow-up speed, cohorts, the waiting list, response bands).
-- Grain: one row per lead (deals with no lead are not leads and are left out).
-- Parameters: the macro arguments start_date and end_date (dates, both included) and
-- channels, owners, segments (as funnel_in_scope), bound by the calling query.
-- Defined by `python -m revcycle build` after funnel_in_scope.

create or replace macro leads_created_in(start_date, end_date, channels, owners, segments)
as table

with

funnel as (
    select * from funnel_in_scope(channels, owners, segments)
),

final as (
    select * from funnel
    where has_lead
        and is_in_period(created_at, start_date, end_date)
)

select * from final
