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
    select
        -- A group with no currency stated nor set counts as a currency of its own: unknown.
        count(*) as count_currencies,
        case when count(*) = 1 then any_value(currency) end as currency,
        coalesce(bool_or(currency is null), false) as has_unknown_currency,
        string_agg(
            coalesce(currency, 'no currency stated') || ': ' || format('{:,}', count_deals)
                || if(count_deals = 1, ' deal', ' deals'),
            ', '
            order by currency nulls last
        ) as currencies_listed,
    from per_currency
)

select * from final
