-- Spend per channel: what the spend exports say was spent on each channel in the period.
-- Grain: one row per channel with spend on a day of the period. A channel with none has no
-- row: it has "no spend recorded", which is never the same as a spend of 0.
-- spend_cents: the days' amounts summed, in whole cents (stg_spend spreads an export row over
-- its days to the cent, so any period gets its exact share). Amounts in two currencies are
-- never added: a channel whose spend in the period is in several (a row stating none takes
-- $default_currency; none stated nor set counts as a currency of its own) has null
-- spend_cents, is_spend_mixed, and its currencies in currencies_listed ("EUR: 10 days, USD:
-- 28 days"); currency is the channel's one currency, null when it has several or none is
-- known.
-- count_spend_days: days with spend; count_campaigns: campaigns named (a row without one is
-- not counted).
-- Parameters: $start_date, $end_date (dates, both included); $channels (a list of values to
-- keep, or null for all); $default_currency (ISO code, or null when the setting is unset).
-- Spend has no owner or segment.

with

spend as (
    select * from spend_days
),

in_period as (
    select * from spend
    where spend_date between $start_date and $end_date
        and ($channels is null or list_contains($channels, channel))
),

per_currency as (
    select
        channel,
        coalesce(currency, $default_currency) as currency,
        sum(amount) as amount,
        count(distinct spend_date) as count_days,
    from in_period
    group by all
),

currencies as (
    select
        channel,
        sum(amount) as amount,
        currency_summary(currency, count_days, 'day') as summary,
    from per_currency
    group by channel
),

days_and_campaigns as (
    select
        channel,
        count(distinct spend_date) as count_spend_days,
        count(distinct campaign) as count_campaigns,
    from in_period
    group by channel
),

final as (
    select
        channel,
        case
            when currencies.summary.count_currencies = 1 then cast(amount * 100 as bigint)
        end as spend_cents,
        count_spend_days,
        count_campaigns,
        currencies.summary.currency as currency,
        currencies.summary.count_currencies > 1 as is_spend_mixed,
        currencies.summary.currencies_listed as currencies_listed,
    from currencies
    join days_and_campaigns using (channel)
)

select * from final
order by spend_cents desc nulls last, channel
