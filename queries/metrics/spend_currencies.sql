-- The currency of the spend: what the spend exports state, or, for a row that states none,
-- the setting (REVCYCLE_CURRENCY), over all the spend loaded. Whether a channel's spend can be
-- added up, and set against revenue, is judged per channel and period (spend_by_channel,
-- against amount_currencies): amounts in several currencies are never added.
-- Grain: one row, over every day of spend loaded (not narrowed by the filters, as
-- amount_currencies: one currency for the whole data keeps every view's figures comparable).
-- count_currencies is 0 when no spend was ever loaded.
-- Parameters: $default_currency (ISO code, or null when the setting is unset).

with

spend as (
    select * from spend_days
),

per_currency as (
    select
        coalesce(currency, $default_currency) as currency,
        count(distinct spend_date) as count_days,
    from spend
    group by all
),

final as (
    select unnest(currency_summary(currency, count_days, 'day')),
    from per_currency
)

select * from final
