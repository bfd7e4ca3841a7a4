-- Cohort conversion by channel: of the leads created in the period, the share that reached
-- each stage within N days of creation, with a 95% Wilson confidence interval.
-- Grain: one row per channel and stage (mql, sql, opportunity, won), plus the same rows for
-- all channels together (is_total; "(selected channels)" when $channels narrows them).
-- Only mature leads count: those created at least N days before the data's latest event
-- (funnel_as_of), so a lead that simply has not had N days yet is not a failure;
-- count_immature_leads says how many were set aside. The MQL and SQL rows count only leads
-- whose upload can tell that stage (has_mql_outcome, has_sql_outcome): a lead from a file with
-- neither a date nor a lifecycle stage for it is neither a hit nor a miss, so count_leads is
-- per stage. Without a deals export no lead can be told to have reached an opportunity or a
-- win, nor a win without a deal that has a stage, won or closed value: those rows then count
-- no leads, and their shares are unknown, never 0.
-- is_low_volume marks rates resting on fewer than $min_leads leads.
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all); $within_days (integer); $min_leads (integer).

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
        cohort.*,
        cohort.window_ends_at <= as_of.data_as_of as is_mature,
        (select has_deals from exports_loaded()) as has_deals,
        (select has_deal_outcomes from exports_loaded()) as has_deal_outcomes,
    from cohort
    cross join as_of
),

per_channel as (
    select
        grouping(channel) = 1 as is_total,
        coalesce(channel, channels_total_label($channels)) as channel,
        count(*) filter (where not is_mature) as count_immature_leads,
        count(*) filter (where is_mature and has_mql_outcome) as leads_mql,
        count(*) filter (where is_mature and has_mql_outcome and reached_mql) as reached_mql,
        count(*) filter (where is_mature and has_sql_outcome) as leads_sql,
        count(*) filter (where is_mature and has_sql_outcome and reached_sql) as reached_sql,
        count(*) filter (where is_mature and has_deals) as leads_opportunity,
        count(*) filter (where is_mature and has_deals and reached_opportunity)
            as reached_opportunity,
        count(*) filter (where is_mature and has_deal_outcomes) as leads_won,
        count(*) filter (where is_mature and has_deal_outcomes and reached_won) as reached_won,
    from leads
    group by grouping sets ((channel), ())
    having count(*) > 0
),

stages as (
    unpivot per_channel
    on (leads_mql, reached_mql) as 'mql',
        (leads_sql, reached_sql) as 'sql',
        (leads_opportunity, reached_opportunity) as 'opportunity',
        (leads_won, reached_won) as 'won'
    into name stage value count_leads, count_reached
),

rates as (
    select
        *,
        stage_order(stage) as stage_order,
        count_reached / nullif(count_leads, 0) as share_reached,
    from stages
),

final as (
    select
        is_total,
        channel,
        stage,
        stage_order,
        count_leads,
        count_immature_leads,
        count_reached,
        share_reached,
        -- Wilson score interval (macros.sql): stays inside 0..1 at small counts and 0 or 100%.
        wilson_interval(count_reached, count_leads).low as share_low_95,
        wilson_interval(count_reached, count_leads).high as share_high_95,
        count_leads < $min_leads as is_low_volume,
    from rates
)

select * from final
order by is_total, starts_with(channel, '('), channel, stage_order
