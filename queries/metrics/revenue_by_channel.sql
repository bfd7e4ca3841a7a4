-- Revenue by channel: what the deals of each channel's leads won in the period, how often
-- closed deals are won, how long from lead to win, and what is still open.
-- Grain: one row per channel, plus one row for all channels together (is_total; "(selected
-- channels)" when $channels narrows them). A deal that matches no lead counts in its own
-- source's channel, or "(no lead)" without one. A channel with no deal activity has no row;
-- the total row is there, of zeros, when leads in scope came in in the period and deals are
-- loaded (zeros_are_true).
-- Won and closed deals count when they closed in the period; open pipeline is the amount of
-- deals created in the period and not closed yet. days_lead_to_won is from the lead's
-- creation to the deal's win, so deals with no lead have none; the sales cycle is from the
-- deal's creation to its win; both in real elapsed days, the nights the clocks change counted
-- as they were. Opportunities are deals created in the period.
-- Durations leave out impossible dates: a deal won before it was created has no sales cycle
-- (count_won_before_created says how many were left out), and a deal won before its lead was
-- created has no lead-to-won time (count_won_before_lead). Both still count as won revenue.
-- The average won deal is over the won deals with an amount: a win with none is no size.
-- count_won_without_amount and count_open_without_amount say how many won and open deals add
-- nothing to the won revenue and the open pipeline because the export gives them no amount;
-- when none of them has one, the sum is null (unknown), not 0.
-- A deal with no stage, won or closed value (stg_deals) is an opportunity, but none of won,
-- closed or open: count_opportunities_without_outcome says how many of the period's
-- opportunities are such deals. When no loaded deal has an outcome, only the opportunities
-- are known; every other figure is null.
-- A won deal with no close date is in no period, but may have been won in this one
-- (is_undated_win): count_won_without_close_date says how many such deals there are. When
-- they are there and no dated deal was won in the period, its wins are not known to be none:
-- the won deals, the won revenue, the average won deal and the win rate are null, not 0.
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all).

with

-- Every deal as a row of its own (funnel_deals), with its funnel row's channel.
deals as (
    select
        *,
        is_in_period(closed_at, $start_date, $end_date) as is_closed_in_period,
        is_in_period(created_at, $start_date, $end_date) as is_created_in_period,
        is_undated_win(is_won, closed_at, created_at, $end_date) as may_be_won_in_period,
        -- Real days between real instants (funnel_deals): across the night the clocks go
        -- back, 12 days on the wall clock are 12 days and an hour.
        (closed_second - created_second) / 86400 as sales_cycle_days,
        (closed_second - lead_created_second) / 86400 as days_lead_to_won,
    from funnel_deals_in_scope($channels, $owners, $segments)
),

-- A total row of zeros is true for a period whose leads match the filters but brought no
-- deal activity, once deals are loaded at all; with no deals export, or nothing matching the
-- filters in the period, there is no row ("–", or the page's empty state).
zeros_are_true as (
    select
        (select has_deals from exports_loaded())
        and exists (
            select 1 from funnel_in_scope($channels, $owners, $segments)
            where is_in_period(created_at, $start_date, $end_date)
        ) as is_true,
),

-- Every count and sum below is of deals closed or created in the period.
deals_in_period as (
    select * from deals
    where is_closed_in_period or is_created_in_period or may_be_won_in_period
),

per_channel as (
    select
        grouping(channel) = 1 as is_total,
        coalesce(channel, channels_total_label($channels)) as channel,
        -- Null, not 0, when deals were won but none has an amount: their size is unknown.
        if(
            count(*) filter (where is_won and is_closed_in_period) > 0,
            sum(amount) filter (where is_won and is_closed_in_period),
            0
        ) as won_revenue,
        count(*) filter (where is_won and is_closed_in_period) as count_won_deals,
        -- A won deal with no amount is a win, but no evidence of a deal's size.
        count(amount) filter (where is_won and is_closed_in_period) as count_won_with_amount,
        count(*) filter (where is_won and is_closed_in_period and amount is null)
            as count_won_without_amount,
        count(*) filter (where is_closed and is_closed_in_period) as count_closed_deals,
        count(*) filter (where may_be_won_in_period) as count_won_without_close_date,
        median(days_lead_to_won)
            filter (where is_won and is_closed_in_period and days_lead_to_won >= 0)
            as median_days_lead_to_won,
        count(*) filter (where is_won and is_closed_in_period and days_lead_to_won < 0)
            as count_won_before_lead,
        avg(sales_cycle_days)
            filter (where is_won and is_closed_in_period and sales_cycle_days >= 0)
            as average_sales_cycle_days,
        count(*) filter (where is_won and is_closed_in_period and sales_cycle_days < 0)
            as count_won_before_created,
        count(*) filter (where is_created_in_period) as count_opportunities,
        if(
            count(*) filter (where not is_closed and is_created_in_period) > 0,
            sum(amount) filter (where not is_closed and is_created_in_period),
            0
        ) as open_pipeline,
        count(*) filter (where not is_closed and is_created_in_period) as count_open_deals,
        count(*) filter (where not is_closed and is_created_in_period and amount is null)
            as count_open_without_amount,
        count(*) filter (where is_closed is null and is_created_in_period)
            as count_opportunities_without_outcome,
    from deals_in_period
    group by grouping sets ((channel), ())
),

figures as (
    select
        is_total,
        channel,
        won_revenue,
        count_won_deals,
        count_won_without_amount,
        count_won_without_close_date,
        won_revenue / nullif(count_won_with_amount, 0) as average_won_deal,
        count_won_deals / nullif(count_closed_deals, 0) as win_rate,
        count_closed_deals,
        median_days_lead_to_won,
        count_won_before_lead,
        open_pipeline,
        count_open_deals,
        count_open_without_amount,
        count_opportunities,
        count_opportunities_without_outcome,
        average_sales_cycle_days,
        count_won_before_created,
        -- Pipeline velocity, euros per day: opportunities × average won deal × win rate
        -- ÷ sales-cycle days; each part is a column above, so the page can show the split.
        count_opportunities * average_won_deal * win_rate
            / nullif(average_sales_cycle_days, 0) as pipeline_velocity_per_day,
    from per_channel
    where count_closed_deals + count_opportunities > 0
        or (is_total and (select is_true from zeros_are_true))
),

-- No loaded deal has a stage, won or closed value: no deal is known to be won, lost or open,
-- so every figure but the opportunities (deals created) is unknown, not 0.
outcomes_known as (
    select
        figures.* replace (
            if(known.outcomes, won_revenue, null) as won_revenue,
            if(known.outcomes, count_won_deals, null) as count_won_deals,
            if(known.outcomes, count_won_without_amount, null) as count_won_without_amount,
            if(known.outcomes, average_won_deal, null) as average_won_deal,
            if(known.outcomes, win_rate, null) as win_rate,
            if(known.outcomes, count_closed_deals, null) as count_closed_deals,
            if(known.outcomes, median_days_lead_to_won, null) as median_days_lead_to_won,
            if(known.outcomes, count_won_before_lead, null) as count_won_before_lead,
            if(known.outcomes, open_pipeline, null) as open_pipeline,
            if(known.outcomes, count_open_deals, null) as count_open_deals,
            if(known.outcomes, count_open_without_amount, null) as count_open_without_amount,
            if(known.outcomes, average_sales_cycle_days, null) as average_sales_cycle_days,
            if(known.outcomes, count_won_before_created, null) as count_won_before_created,
            if(known.outcomes, pipeline_velocity_per_day, null) as pipeline_velocity_per_day,
        ),
    from figures
    cross join (select has_deal_outcomes as outcomes from exports_loaded()) as known
),

-- Undated wins, and no dated one in the period: its wins are unknown, not none.
final as (
    select
        outcomes_known.* replace (
            if(undated, null, won_revenue) as won_revenue,
            if(undated, null, count_won_deals) as count_won_deals,
            if(undated, null, count_won_without_amount) as count_won_without_amount,
            if(undated, null, average_won_deal) as average_won_deal,
            if(undated, null, win_rate) as win_rate,
        ),
    from outcomes_known
    cross join lateral (
        select count_won_deals = 0 and count_won_without_close_date > 0 as undated
    )
)

select * from final
order by is_total, starts_with(channel, '('), won_revenue desc, channel
