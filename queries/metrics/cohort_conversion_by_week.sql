-- Cohort conversion over time: leads grouped by the week or month they were created, and the
-- share of each cohort that reached MQL, SQL, an opportunity and a win within N days.
-- Grain: one row per cohort and stage (mql, sql, opportunity, won). A cohort is mature when
-- its last possible lead has had N days by the data's latest event (funnel_as_of); an
-- immature cohort's shares are still growing and are marked, not read as failures.
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all); $within_days (integer); $cohort_grain ('week'
-- or 'month').

with

cohort as (
    select * from cohort_leads(
        $start_date, $end_date, $channels, $owners, $segments, $within_days
    )
),

as_of as (
    select * from funnel_as_of
),

leads as (
    select
        *,
        cast(date_trunc($cohort_grain, created_at) as date) as cohort_start,
    from cohort
),

per_cohort as (
    select
        cohort_start,
        count(*) filter (where has_mql_outcome) as leads_mql,
        count(*) filter (where has_mql_outcome and reached_mql) as reached_mql,
        count(*) filter (where has_sql_outcome) as leads_sql,
        count(*) filter (where has_sql_outcome and reached_sql) as reached_sql,
        count(*) as leads_opportunity,
        count(*) filter (where reached_opportunity) as reached_opportunity,
        count(*) as leads_won,
        count(*) filter (where reached_won) as reached_won,
    from leads
    group by cohort_start
),

-- The MQL and SQL rows count only leads whose upload can tell that stage (as by channel).
stages as (
    unpivot per_cohort
    on (leads_mql, reached_mql) as 'mql',
        (leads_sql, reached_sql) as 'sql',
        (leads_opportunity, reached_opportunity) as 'opportunity',
        (leads_won, reached_won) as 'won'
    into name stage value count_leads, count_reached
),

final as (
    select
        stages.cohort_start,
        stages.stage,
        stage_order(stages.stage) as stage_order,
        stages.count_leads,
        stages.count_reached,
        stages.count_reached / nullif(stages.count_leads, 0) as share_reached,
        stages.cohort_start + ('1 ' || $cohort_grain)::interval
            + to_days(cast($within_days as integer)) <= as_of.data_as_of as is_mature,
    from stages
    cross join as_of
)

select * from final
order by cohort_start, stage_order
