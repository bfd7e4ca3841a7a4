-- Conversion by channel, period mode: how many funnel events of each stage happened in the
-- period, and each stage as a share of the stage before it and of the first stage.
-- Grain: one row per channel and stage (lead, mql, sql, opportunity, won), plus the same five
-- rows for all channels together (is_total; channel "(all channels)", or "(selected
-- channels)" when $channels narrows them). A channel with no event in the period has no rows.
-- Events: lead = created, mql = became MQL, sql = accepted by sales, opportunity = first deal
-- created, won = first deal won; each counted when its date falls in the period.
-- count_events counts every event, deals with no lead included (a deal with its own source
-- counts in its source's channel); count_without_lead says how many of them came from deals
-- with no lead. The shares are per lead: both sides count leads' events only
-- (count_from_leads), so a deal with no lead never enters a rate.
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all).

with

funnel as (
    select * from funnel_in_scope($channels, $owners, $segments)
),

stage_counts as (
    select
        grouping(channel) = 1 as is_total,
        coalesce(channel, channels_total_label($channels)) as channel,
        count(*) filter (where has_lead and is_in_period(created_at, $start_date, $end_date))
            as count_lead,
        -- Only leads have lead stages: a deal with no lead has no creation, MQL or SQL date.
        0 as count_lead_without_lead,
        count(*) filter (where is_in_period(mql_at, $start_date, $end_date)) as count_mql,
        0 as count_mql_without_lead,
        count(*) filter (where is_in_period(sql_at, $start_date, $end_date)) as count_sql,
        0 as count_sql_without_lead,
        count(*) filter (where is_in_period(first_deal_created_at, $start_date, $end_date))
            as count_opportunity,
        count(*) filter (
            where not has_lead
                and is_in_period(first_deal_created_at, $start_date, $end_date)
        ) as count_opportunity_without_lead,
        count(*) filter (where is_in_period(first_won_at, $start_date, $end_date))
            as count_won,
        count(*) filter (
            where not has_lead and is_in_period(first_won_at, $start_date, $end_date)
        ) as count_won_without_lead,
    from funnel
    group by grouping sets ((channel), ())
),

stages as (
    unpivot stage_counts
    on (count_lead, count_lead_without_lead) as 'lead',
        (count_mql, count_mql_without_lead) as 'mql',
        (count_sql, count_sql_without_lead) as 'sql',
        (count_opportunity, count_opportunity_without_lead) as 'opportunity',
        (count_won, count_won_without_lead) as 'won'
    into name stage value count_events, count_without_lead
),

from_leads as (
    select
        *,
        stage_order(stage) as stage_order,
        count_events - count_without_lead as count_from_leads,
    from stages
),

final as (
    select
        is_total,
        channel,
        stage,
        stage_order,
        count_events,
        count_without_lead,
        count_from_leads,
        count_from_leads / nullif(
            lag(count_from_leads) over (partition by channel order by stage_order), 0
        ) as share_of_previous,
        count_from_leads / nullif(
            first_value(count_from_leads) over (partition by channel order by stage_order), 0
        ) as share_of_first,
    from from_leads
    qualify sum(count_events) over (partition by channel) > 0
)

select * from final
order by is_total, starts_with(channel, '('), channel, stage_order
