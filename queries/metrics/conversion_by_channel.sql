-- Conversion by channel, period mode: how many funnel events of each stage happened in the
-- period, and each stage as a share of the stage before it and of the first stage.
-- Grain: one row per channel and stage (lead, mql, sql, opportunity, won), plus the same five
-- rows for all channels together (is_total; channel "(all channels)", or "(selected
-- channels)" when $channels narrows them). A channel with no event in the period has no rows.
-- Events: lead = created, mql = became MQL, sql = accepted by sales, opportunity = first deal
-- created, won = first deal won; each counted when its date falls in the period.
-- count_events counts every event, deals with no lead included (a deal with its own source
-- counts in its source's channel); count_without_lead says how many of them came from deals
-- with no lead. The shares are per lead: both sides count leads' events only, and only leads
-- whose upload records the stages compared (has_mql_data, has_sql_data): a lead from a file
-- with no MQL date column is neither a hit nor a miss of the MQL rate. share_of_previous is
-- count_for_previous / count_previous, share_of_first count_from_leads / count_first.
-- is_unmeasurable: the stage has no event and no lead of the channel's in the period could
-- record it (its upload has no column for the stage's date), or, for opportunities and
-- customers, no deals export is loaded: unknown, not 0.
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all).

with

funnel as (
    select * from funnel_in_scope($channels, $owners, $segments)
),

events as (
    select
        channel,
        has_lead,
        has_lead and coalesce(has_mql_data, false) as can_tell_mql,
        has_lead and coalesce(has_sql_data, false) as can_tell_sql,
        has_lead and is_in_period(created_at, $start_date, $end_date) as is_lead,
        is_in_period(mql_at, $start_date, $end_date) as is_mql,
        is_in_period(sql_at, $start_date, $end_date) as is_sql,
        is_in_period(first_deal_created_at, $start_date, $end_date) as is_opportunity,
        is_in_period(first_won_at, $start_date, $end_date) as is_won,
    from funnel
),

-- Only rows with an event in the period count toward any stage: the rest are dropped before
-- the counting (at 10M leads this halves the query's time). Channels without any event in the
-- period are left out below as well.
events_in_period as (
    select * from events
    where is_lead or is_mql or is_sql or is_opportunity or is_won
),

stage_counts as (
    select
        grouping(channel) = 1 as is_total,
        coalesce(channel, channels_total_label($channels)) as channel,
        -- Only leads have lead stages: a deal with no lead has no creation, MQL or SQL date.
        count(*) filter (where is_lead) as events_lead,
        0 as without_lead_lead,
        0 as for_previous_lead,  -- the first stage has no previous one: its share is null
        0 as previous_lead,
        count(*) filter (where is_lead) as first_lead,
        count(*) filter (where is_mql) as events_mql,
        0 as without_lead_mql,
        count(*) filter (where is_mql and can_tell_mql) as for_previous_mql,
        count(*) filter (where is_lead and can_tell_mql) as previous_mql,
        count(*) filter (where is_lead and can_tell_mql) as first_mql,
        count(*) filter (where is_sql) as events_sql,
        0 as without_lead_sql,
        count(*) filter (where is_sql and can_tell_mql and can_tell_sql) as for_previous_sql,
        count(*) filter (where is_mql and can_tell_mql and can_tell_sql) as previous_sql,
        count(*) filter (where is_lead and can_tell_sql) as first_sql,
        count(*) filter (where is_opportunity) as events_opportunity,
        count(*) filter (where is_opportunity and not has_lead) as without_lead_opportunity,
        count(*) filter (where is_opportunity and can_tell_sql) as for_previous_opportunity,
        count(*) filter (where is_sql and can_tell_sql) as previous_opportunity,
        count(*) filter (where is_lead) as first_opportunity,
        count(*) filter (where is_won) as events_won,
        count(*) filter (where is_won and not has_lead) as without_lead_won,
        count(*) filter (where is_won and has_lead) as for_previous_won,
        count(*) filter (where is_opportunity and has_lead) as previous_won,
        count(*) filter (where is_lead) as first_won,
    from events_in_period
    group by grouping sets ((channel), ())
),

stages as (
    unpivot stage_counts
    on (events_lead, without_lead_lead, for_previous_lead, previous_lead, first_lead) as 'lead',
        (events_mql, without_lead_mql, for_previous_mql, previous_mql, first_mql) as 'mql',
        (events_sql, without_lead_sql, for_previous_sql, previous_sql, first_sql) as 'sql',
        (
            events_opportunity,
            without_lead_opportunity,
            for_previous_opportunity,
            previous_opportunity,
            first_opportunity
        ) as 'opportunity',
        (events_won, without_lead_won, for_previous_won, previous_won, first_won) as 'won'
    into name stage
    value count_events, count_without_lead, count_for_previous, count_previous, count_first
),

measured as (
    select
        is_total,
        channel,
        stage,
        stage_order(stage) as stage_order,
        count_events,
        count_without_lead,
        count_events - count_without_lead as count_from_leads,
        count_for_previous,
        count_previous,
        count_first,
        -- No event, and none of the channel's leads of the period comes from a file that
        -- records the stage: the count is unknown, not 0 (the page shows "–"), and so are its
        -- shares.
        (
            count_events = 0
            and count_first = 0
            and sum(count_events) filter (where stage = 'lead') over (partition by channel) > 0
        )
        or (
            stage in ('opportunity', 'won')
            and count_events = 0
            and not (select has_deals from deals_loaded())
        ) as is_unmeasurable,
    from stages
    qualify sum(count_events) over (partition by channel) > 0
),

final as (
    select
        * exclude (is_unmeasurable),
        if(is_unmeasurable, null, count_for_previous / nullif(count_previous, 0))
            as share_of_previous,
        if(is_unmeasurable, null, count_from_leads / nullif(count_first, 0)) as share_of_first,
        is_unmeasurable,
    from measured
)

select * from final
order by is_total, starts_with(channel, '('), channel, stage_order
