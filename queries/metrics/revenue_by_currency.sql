-- Won revenue and open pipeline per currency, for when the deals' amounts are in several
-- (amount_currencies): the pages add no amounts of different currencies, so each currency
-- gets its own sums, which reconcile to the deals export currency by currency. The deals and
-- their rules are revenue_by_channel's: won revenue is the amount of the deals won (closed
-- in the period), open pipeline the amount of the deals created in the period and not closed.
-- A deal's currency is the one it states, else the setting's ($default_currency); null when
-- neither says. A sum over deals none of which has an amount is null (unknown), not 0, as in
-- revenue_by_channel.
-- Grain: one row per currency (is_total; its channel "(all channels)", or "(selected
-- channels)" when $channels narrows them), plus one per channel and currency, each with a
-- deal won, or created and still open, in the period. A deal's channel is
-- revenue_by_channel's: its lead's, else its own source's, else "(no lead)".
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all); $default_currency (ISO code, or null).

with

deals as (
    select
        deals.*,
        coalesce(stated.currency, $default_currency) as currency,
        is_in_period(deals.closed_at, $start_date, $end_date) as is_closed_in_period,
        is_in_period(deals.created_at, $start_date, $end_date) as is_created_in_period,
    from funnel_deals_in_scope($channels, $owners, $segments) as deals
    left join stg_deals as stated
        on deals.deal_id = stated.deal_id
),

final as (
    select
        grouping(channel) = 1 as is_total,
        coalesce(channel, channels_total_label($channels)) as channel,
        currency,
        count(*) filter (where is_won and is_closed_in_period) as count_won_deals,
        -- Null, not 0, when deals were won but none has an amount: their size is unknown.
        if(
            count_won_deals > 0, sum(amount) filter (where is_won and is_closed_in_period), 0
        ) as won_revenue,
        count(*) filter (where not is_closed and is_created_in_period) as count_open_deals,
        if(
            count_open_deals > 0,
            sum(amount) filter (where not is_closed and is_created_in_period),
            0
        ) as open_pipeline,
    from deals
    group by grouping sets ((currency), (channel, currency))
    having count_won_deals + count_open_deals > 0
)

select * from final
order by currency nulls last, is_total, starts_with(channel, '('), won_revenue desc, channel
