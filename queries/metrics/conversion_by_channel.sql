-- Conversion by channel, period mode: how many funnel events of each stage happened in the
-- period, and each stage as a share of the stage before it and of the first stage.
-- Grain: one row per channel and stage (lead, mql, sql, opportunity, won), plus the same five
-- rows for all channels together (is_total). A channel with no event in the period has no rows.
-- Events: lead = created, mql = became MQL, sql = accepted by sales, opportunity = first deal
-- created, won = first deal won; each counted when its date falls in the period.
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all).

with

funnel as (
    select * from funnel_in_scope($channels, $owners, $segments)
),

stage_counts as (
    select
        grouping(channel) = 1 as is_total,
        coalesce(channel, '(all channels)') as channel,
        count(*) filter (where has_lead and is_in_period(created_at, $start_date, $end_date))
            as count_lead,
        count(*) filter (where is_in_period(mql_at, $start_date, $end_date)) as count_mql,
        count(*) filter (where is_in_period(sql_at, $start_date, $end_date)) as count_sql,
        count(*) filter (where is_in_period(first_deal_created_at, $start_date, $end_date))
            as count_opportunity,
        count(*) filter (where is_in_period(first_won_at, $start_date, $end_date))
            as count_won,
    from funnel
    group by grouping sets ((channel), ())
),

stages as (
    unpivot stage_counts
    on count_lead as 'lead',
        count_mql as 'mql',
        count_sql as 'sql',
        count_opportunity as 'opportunity',
        count_won as 'won'
    into name stage value count_events
),

final as (
    select
        is_total,
        channel,
        stage,
        stage_order(stage) as stage_order,
        count_events,
        count_events / nullif(
            lag(count_events) over (partition by channel order by stage_order), 0
        ) as share_of_previous,
        count_events / nullif(
            first_value(count_events) over (partition by channel order by stage_order), 0
        ) as share_of_first,
    from stages
    qualify sum(count_events) over (partition by channel) > 0
)

select * from final
order by is_total, starts_with(channel, '('), channel, stage_order
