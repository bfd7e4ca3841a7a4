-- Every deal of the funnel as a row of its own: the deals of funnel_revenue's `deals` lists,
-- each with its funnel row's lead, channel, owner and segment (for the sidebar's filters) and
-- the creation of its lead. The revenue metrics read these 1.3M rows at 10M leads instead of
-- unnesting the lists of the 10M funnel rows (at 10M leads, 5 times as fast), and
-- deal_journeys starts from them.
-- Columns: lead_id and lead_created_at (null for a deal with no lead), channel, owner,
-- segment, then the deal's created_at, deal_id, closed_at, is_won, is_closed and amount, as in
-- the list.
-- Grain: one row per deal (a deal belongs to one funnel row: its lead's, or its own when it
-- matches no lead).
-- Parameters: none. Materialised as the table funnel_deals after funnel_revenue, in order of
-- closing, so a period's wins are read from their own days.

with

funnel as (
    select * from funnel_revenue
    where count_deals > 0
),

final as (
    -- unnest in the select list: one row per deal, without the join a lateral unnest plans.
    select
        lead_id,
        channel,
        owner,
        segment,
        created_at as lead_created_at,
        unnest(deals, recursive := true),
    from funnel
)

select * from final
order by closed_at
