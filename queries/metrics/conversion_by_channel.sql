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
-- record it (its upload has no column for the stage's date), or no export of the stage is
-- loaded (no leads export for leads, MQLs and SQLs; no leads upload with an MQL date column
-- for MQLs, or an SQL date or conversion column for SQLs, even in a period with no lead; no
-- deals export for opportunities; no deal with a stage, won or closed value for customers),
-- or, for customers, a won deal of the channel's with no close date may be the period's
-- (is_undated_win): unknown, not 0. So is an SQL count of 0 when some of the channel's leads of
-- the period reached SQL on no known day (funnel_events' 'sql_undated'): their SQLs may be the
-- period's, and a 0 would blame sales for a date the export lacks.
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all).

with

-- The period's events, counted per day (funnel_events): a period adds up its days' counts
-- rather than reading every funnel row. Channels without any event in the period have no rows
-- here, and so none below.
events_in_period as (
    select * from funnel_events_in_scope($channels, $owners, $segments)
    where event_date between $start_date and $end_date
),

-- Each day's count in every column it adds to, 0 in the others. Only leads have lead stages:
-- a deal with no lead has no creation, MQL or SQL date. A rate's both sides count leads only,
-- and only those whose uploads record the stages compared (can_tell_mql, can_tell_sql).
counted as (
    select
        channel,
        if(stage = 'lead', count_events, 0) as events_lead,
        0 as without_lead_lead,
        0 as for_previous_lead,  -- the first stage has no previous one: its share is null
        0 as previous_lead,
        if(stage = 'lead', count_events, 0) as first_lead,
        if(stage = 'mql', count_events, 0) as events_mql,
        0 as without_lead_mql,
        if(stage = 'mql' and can_tell_mql, count_events, 0) as for_previous_mql,
        if(stage = 'lead' and can_tell_mql, count_events, 0) as previous_mql,
        if(stage = 'lead' and can_tell_mql, count_events, 0) as first_mql,
        if(stage = 'sql', count_events, 0) as events_sql,
        0 as without_lead_sql,
        if(stage = 'sql' and can_tell_mql and can_tell_sql, count_events, 0) as for_previous_sql,
        if(stage = 'mql' and can_tell_mql and can_tell_sql, count_events, 0) as previous_sql,
        if(stage = 'lead' and can_tell_sql, count_events, 0) as first_sql,
        if(stage = 'opportunity', count_events, 0) as events_opportunity,
        if(stage = 'opportunity' and not has_lead, count_events, 0) as without_lead_opportunity,
        if(stage = 'opportunity' and can_tell_sql, count_events, 0) as for_previous_opportunity,
        if(stage = 'sql' and can_tell_sql, count_events, 0) as previous_opportunity,
        if(stage = 'lead', count_events, 0) as first_opportunity,
        if(stage = 'won', count_events, 0) as events_won,
        if(stage = 'won' and not has_lead, count_events, 0) as without_lead_won,
        if(stage = 'won' and has_lead, count_events, 0) as for_previous_won,
        if(stage = 'opportunity' and has_lead, count_events, 0) as previous_won,
        if(stage = 'lead', count_events, 0) as first_won,
        -- Not a stage: the leads that reached SQL on no known day (see is_unmeasurable).
        if(stage = 'sql_undated', count_events, 0) as count_sql_undated,
    from events_in_period
),

stage_counts as (
    select
        grouping(channel) = 1 as is_total,
        coalesce(channel, channels_total_label($channels)) as channel,
        cast(sum(columns(* exclude (channel))) as bigint),
    from counted
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

-- The channels of the won deals with no close date that may be the period's.
undated_wins as (
    select list(distinct channel) as channels,
    from funnel_deals_in_scope($channels, $owners, $segments)
    where is_undated_win(is_won, closed_at, created_at, $end_date)
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
            count_events = 0
            and not (
                select
                    case stage
                        when 'opportunity' then has_deals
                        when 'won' then has_deal_outcomes
                        when 'mql' then has_mql_data
                        when 'sql' then has_sql_data
                        else has_leads
                    end
                from exports_loaded()
            )
        )
        or (
            stage = 'won'
            and count_events = 0
            and coalesce(
                if(is_total, len(undated_wins.channels) > 0,
                    list_contains(undated_wins.channels, channel)),
                false
            )
        )
        or (stage = 'sql' and count_events = 0 and count_sql_undated > 0) as is_unmeasurable,
    from stages
    cross join undated_wins
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
