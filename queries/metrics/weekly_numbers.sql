-- Weekly numbers for the meeting: per ISO week, the funnel's events, the won revenue and the
-- follow-up within the agreed time, so a week reads against the week before and its baseline.
-- Grain: one row per ISO week (week_start, a Monday), the $weeks weeks that end with the week
-- of $end_date, oldest first; a week with nothing in it is a row of zeros, never missing.
-- Events count in the week of their own date, from the same tables as the period metrics
-- (conversion_by_channel, revenue_by_channel): leads of created_at, MQLs of mql_at, SQLs of
-- sql_at, opportunities of the first deal's creation (deals with no lead included), from the
-- events per day (funnel_events); won deals and their amounts of each won deal's closed_at,
-- and the new pipeline of each deal's created_at, from the deals one by one (funnel_deals).
-- has_leads, has_deals: whether any lead and any deal is loaded at all (without leads, leads,
-- MQLs, SQLs and the follow-up cannot be counted; without deals, opportunities and won
-- revenue). has_deal_outcomes: whether any deal has a stage, won or closed value (without,
-- won revenue cannot be counted). has_mql_data, has_sql_data, has_contact_data: whether any
-- loaded lead's upload records that date at all (without, no week can count it).
-- count_leads_with_*_data: of the week's leads, those whose upload has a column for the
-- stage's date; with leads but none of them, a zero means "not in the data" (the caller says
-- it cannot be measured). count_reached_sql_without_date: of the week's leads, those whose
-- upload records SQLs that reached SQL on no known day (converted, the opportunity not
-- loaded; a lifecycle stage past SQL, the date blank), which no week's count_sqls holds;
-- count_reached_mql_without_date likewise for MQLs (a lifecycle stage past MQL, the date blank).
-- Contacted within the agreed time is over the week's leads judged, as follow_up_speed's
-- share: measured = funnel_revenue judged it (the upload records contacts, not contacted
-- before it was created, not nurtured; never-contacted leads count as missed once their time
-- ran out, and not before).
-- count_won_without_close_date: the won deals with no close date that may have been won by the
-- week's end (is_undated_win); when there are such and no dated deal was won in the week, its
-- won deals and won revenue are null, unknown rather than none.
-- count_deals_without_outcome: the deals created in the week with no stage, won or closed
-- value, which count as opportunities but as none of won, lost and open.
-- new_pipeline: the amounts of the deals created in the week (deals with no lead included),
-- whatever they became since, so a week's figure holds once its deals close; null when every
-- one of them lacks an amount (count_created_without_amount says how many do).
-- won_revenue and new_pipeline sum amounts in whatever currency they are: the caller checks
-- amount_currencies before showing a sum.
-- Parameters: $end_date (date, the last week's Sunday or any day of it); $weeks (how many
-- weeks, 1 or more); $channels, $owners, $segments (lists of values to keep, or null for all).

with

weeks as (
    select * from iso_weeks($end_date, $weeks)
),

window_bounds as (
    select
        min(week_start) as first_day,
        max(week_end) as last_day,
    from weeks
),

leads as (
    select
        cast(date_trunc('week', created_at) as date) as week_start,
        count(*) as count_leads,
        count(*) filter (where has_mql_data) as count_leads_with_mql_data,
        count(*) filter (where has_sql_data) as count_leads_with_sql_data,
        count(*) filter (where has_mql_data and has_reached_mql and mql_at is null)
            as count_reached_mql_without_date,
        count(*) filter (where has_sql_data and has_reached_sql and sql_at is null)
            as count_reached_sql_without_date,
        count(*) filter (where has_contact_data) as count_leads_with_contact_data,
        count(*) filter (where is_contact_time_unknown) as count_leads_contact_time_unknown,
        count(is_within_agreed_time) as count_contact_measured,
        count(*) filter (where is_within_agreed_time) as count_contacted_in_time,
    from leads_created_in(
        (select first_day from window_bounds),
        (select last_day from window_bounds),
        $channels,
        $owners,
        $segments
    )
    group by all
),

-- The week's MQLs, SQLs and opportunities, from the events counted per day (funnel_events).
stages as (
    select
        cast(date_trunc('week', events.event_date) as date) as week_start,
        cast(sum(events.count_events) filter (where events.stage = 'mql') as bigint)
            as count_mqls,
        cast(sum(events.count_events) filter (where events.stage = 'sql') as bigint)
            as count_sqls,
        cast(sum(events.count_events) filter (where events.stage = 'opportunity') as bigint)
            as count_opportunities,
    from funnel_events_in_scope($channels, $owners, $segments) as events
    cross join window_bounds
    where events.stage in ('mql', 'sql', 'opportunity')
        and is_in_period(events.event_date, window_bounds.first_day, window_bounds.last_day)
    group by all
),

-- The deals won in the weeks, one row each (funnel_deals).
won as (
    select
        cast(date_trunc('week', deals.closed_at) as date) as week_start,
        count(*) as count_won_deals,
        sum(deals.amount) as won_revenue,
        count(*) filter (where deals.amount is null) as count_won_without_amount,
    from funnel_deals_in_scope($channels, $owners, $segments) as deals
    cross join window_bounds
    where deals.is_won
        and is_in_period(deals.closed_at, window_bounds.first_day, window_bounds.last_day)
    group by all
),

-- The won deals with no close date that each week may hold.
undated_wins as (
    select
        weeks.week_start,
        count(*) as count_won_without_close_date,
    from weeks
    inner join funnel_deals_in_scope($channels, $owners, $segments) as deals
        on is_undated_win(deals.is_won, deals.closed_at, deals.created_at, weeks.week_end)
    group by all
),

-- The deals created in the weeks, one row each (funnel_deals): the new pipeline is their
-- amounts, whatever they became since; and those whose outcome the export does not say.
created as (
    select
        cast(date_trunc('week', deals.created_at) as date) as week_start,
        sum(deals.amount) as new_pipeline,
        count(*) filter (where deals.amount is null) as count_created_without_amount,
        count(*) as count_deals_created,
        count(*) filter (where deals.is_closed is null) as count_deals_without_outcome,
    from funnel_deals_in_scope($channels, $owners, $segments) as deals
    cross join window_bounds
    where is_in_period(deals.created_at, window_bounds.first_day, window_bounds.last_day)
    group by all
),

final as (
    select
        weeks.week_start,
        weeks.week_end,
        (select has_leads from exports_loaded()) as has_leads,
        (select has_deals from exports_loaded()) as has_deals,
        (select has_deal_outcomes from exports_loaded()) as has_deal_outcomes,
        (select has_mql_data from exports_loaded()) as has_mql_data,
        (select has_sql_data from exports_loaded()) as has_sql_data,
        (select has_contact_data from exports_loaded()) as has_contact_data,
        coalesce(leads.count_leads, 0) as count_leads,
        coalesce(stages.count_mqls, 0) as count_mqls,
        coalesce(stages.count_sqls, 0) as count_sqls,
        coalesce(stages.count_opportunities, 0) as count_opportunities,
        coalesce(undated_wins.count_won_without_close_date, 0) as count_won_without_close_date,
        -- Null, not 0, when undated wins may be in a week without a dated one.
        if(
            won.count_won_deals is null and undated_wins.week_start is not null,
            null,
            coalesce(won.count_won_deals, 0)
        ) as count_won_deals,
        -- Null, not 0, for a week whose won deals all lack an amount: their size is unknown.
        if(
            won.count_won_deals is null,
            if(undated_wins.week_start is null, 0, null),
            won.won_revenue
        ) as won_revenue,
        coalesce(won.count_won_without_amount, 0) as count_won_without_amount,
        coalesce(created.count_deals_without_outcome, 0) as count_deals_without_outcome,
        -- Null, not 0, for a week whose new deals all lack an amount: their size is unknown.
        if(created.count_deals_created is null, 0, created.new_pipeline) as new_pipeline,
        coalesce(created.count_deals_created, 0) as count_deals_created,
        coalesce(created.count_created_without_amount, 0) as count_created_without_amount,
        coalesce(leads.count_leads_with_mql_data, 0) as count_leads_with_mql_data,
        coalesce(leads.count_leads_with_sql_data, 0) as count_leads_with_sql_data,
        coalesce(leads.count_reached_mql_without_date, 0) as count_reached_mql_without_date,
        coalesce(leads.count_reached_sql_without_date, 0) as count_reached_sql_without_date,
        coalesce(leads.count_leads_with_contact_data, 0) as count_leads_with_contact_data,
        coalesce(leads.count_leads_contact_time_unknown, 0) as count_leads_contact_time_unknown,
        coalesce(leads.count_contact_measured, 0) as count_contact_measured,
        coalesce(leads.count_contacted_in_time, 0) as count_contacted_in_time,
        leads.count_contacted_in_time / nullif(leads.count_contact_measured, 0)
            as share_contacted_in_time,
    from weeks
    left join leads
        using (week_start)
    left join stages
        using (week_start)
    left join won
        using (week_start)
    left join undated_wins
        using (week_start)
    left join created
        using (week_start)
)

select * from final
order by week_start
