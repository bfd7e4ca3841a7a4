-- The currency of the amounts: what the deals state, or, for a deal that states none, the
-- setting (REVCYCLE_CURRENCY). Sums are shown only when every amount has the same currency;
-- amounts in several are never added.
-- Grain: one row, over every loaded deal with an amount (not narrowed by the filters: one
-- currency for the whole data keeps every view's sums comparable).
-- Parameters: $default_currency (ISO code, or null when the setting is unset).

with

deals as (
    select * from stg_deals
    where amount is not null
),

per_currency as (
    select
        coalesce(currency, $default_currency) as currency,
        count(*) as count_deals,
    from deals
    group by all
),

final as (
    select unnest(currency_summary(currency, count_deals, 'deal')),
    from per_currency
)

select * from final
