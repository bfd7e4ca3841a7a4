-- Leads as cohorts read them: the leads created in a period, within the shared filters, each
-- with the end of its window of N days and whether it reached each stage (MQL, SQL, an
-- opportunity, a win) by then. The population of both cohort queries, so a stage "reached
-- within N days" means the same in each. A lead whose lifecycle stage or conversion says it
-- reached MQL or SQL, with no date for it, counts as reached (the date unknown).
-- Grain: one row per lead (as leads_created_in).
-- Parameters: the macro arguments start_date, end_date, channels, owners, segments (as
-- leads_created_in) and within_days (integer), bound by the calling query.
-- Defined by `python -m revcycle build` after leads_created_in.

create or replace macro cohort_leads(
    start_date, end_date, channels, owners, segments, within_days
) as table

with

funnel as (
    select * from leads_created_in(start_date, end_date, channels, owners, segments)
),

windowed as (
    select
        *,
        created_at + to_days(cast(within_days as integer)) as window_ends_at,
    from funnel
),

final as (
    select
        *,
        coalesce(mql_at <= window_ends_at, has_reached_mql) as reached_mql,
        coalesce(sql_at <= window_ends_at, has_reached_sql) as reached_sql,
        first_deal_created_at <= window_ends_at as reached_opportunity,
        first_won_at <= window_ends_at as reached_won,
    from windowed
)

select * from final
