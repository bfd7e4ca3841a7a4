-- The channels whose won revenue in a period ending $end_date is not known to be none: a won
-- deal with no close date may have been won in that period (is_undated_win), and would credit
-- the channels of its journey (deal_journeys; with no moment of the win, no loaded touch can be
-- placed before it, so its journey is its lead source's touch). Cost and return show such a
-- channel's return as unknown, not 0, when the period credits it no dated win.
-- Grain: one row per channel with such a deal.
-- Parameters: $end_date (date); $owners, $segments (lists of values to keep, or null for all).

with

undated_wins as (
    select deal_id from funnel_deals_in_scope(null, $owners, $segments)
    where is_undated_win(is_won, closed_at, created_at, $end_date)
),

journeys as (
    select * from deal_journeys
    where basis = 'revenue'
),

final as (
    select
        journeys.channel,
        count(distinct journeys.deal_id) as count_won_without_close_date,
    from journeys
    semi join undated_wins
        on journeys.deal_id = undated_wins.deal_id
    group by journeys.channel
)

select * from final
order by channel
