-- Spend against budget for the weekly meeting: per channel, the spend of each ISO week (this
-- week and the ones before it, for the chart) and of this week's month so far, against the
-- agreed monthly budget prorated by working days.
-- Spans (span): 'week', one per ISO week of the $weeks weeks that end with the week of
-- $end_date; 'month_to_date', from the first day of the month of this week's Sunday to that
-- Sunday; 'month', that whole month (its budget only: spend is never summed past the Sunday,
-- so its spend is null). A week or month to date in which the spend data begins (the first
-- day any spend export records) starts on that day: the days before it have no spend to hold
-- against their budget, and are not owed.
-- A budget is prorated as targets are (marts/agreed_working_days.sql): each working day takes
-- 1 / (working days of its month) of its month's budget under the agreement version in force
-- that day, so a week across two months takes its share of each. A span has a budget only
-- when every working day of it has one, never part of one; a span with no working day owes
-- none of the budgets of its months (0).
-- Spend is stg_spend's days; a span with no spend row for the channel has null spend ("no
-- spend recorded"), never 0.
-- Currency: a budget that names none is in $default_currency. Amounts in two currencies are
-- never added: a span whose spend (or budget) for the channel is in two currencies gets null
-- spend (or budget) and is_spend_mixed (is_budget_mixed); another span of the same channel,
-- in one currency or with none, is shown as it is. is_comparable is true only when the
-- span's spend and budget are in one and the same currency. has_spend and has_budget: the
-- channel has any on a day of the spans.
-- Grain: one row per span and channel, for the channels with spend or a budget on any day of
-- the spans (the channel filter applies); weeks oldest first, then month_to_date, then month.
-- Parameters: $end_date (date, any day of this week); $weeks (how many weeks, 1 or more);
-- $channels (list of channels to keep, or null for all); $default_currency (ISO code, or null
-- when unset).

with

this_week as (
    select
        cast(date_trunc('week', cast($end_date as date)) as date) + 6 as week_end,
),

calendar_spans as (
    select
        'week' as span,
        week_start as span_start,
        week_end as span_end,
        row_number() over (order by week_start) as span_order,
    from iso_weeks($end_date, $weeks)
    union all
    select
        'month_to_date' as span,
        cast(date_trunc('month', week_end) as date) as span_start,
        week_end as span_end,
        cast($weeks as integer) + 1 as span_order,
    from this_week
    union all
    select
        'month' as span,
        cast(date_trunc('month', week_end) as date) as span_start,
        last_day(week_end) as span_end,
        cast($weeks as integer) + 2 as span_order,
    from this_week
),

spans as (
    select
        span,
        case
            when span <> 'month' and first_spend_day > span_start and first_spend_day <= span_end
                then first_spend_day
            else span_start
        end as span_start,
        span_end,
        span_order,
    from calendar_spans
    cross join (select min(spend_date) as first_spend_day from spend_days)
),

window_bounds as (
    select
        min(span_start) as first_day,
        max(span_end) as last_day,
        (select week_end from this_week) as last_spend_day,
    from spans
),

spend as (
    select * from spend_days
    where $channels is null or list_contains($channels, channel)
),

budgets as (
    select
        version,
        month,
        channel,
        amount,
        coalesce(currency, $default_currency) as currency,
    from stg_agreement_budgets
    where $channels is null or list_contains($channels, channel)
),

working_days as (
    select * from agreed_working_days(
        (select first_day from window_bounds),
        (select last_day from window_bounds)
    )
),

span_working_days as (
    select
        spans.span_order,
        count(working_days.work_date) as count_working_days,
    from spans
    left join working_days
        on working_days.work_date between spans.span_start and spans.span_end
    group by spans.span_order
),

daily_budgets as (
    select
        working_days.work_date,
        budgets.channel,
        budgets.currency,
        budgets.amount / working_days.count_month_working_days as day_budget,
    from working_days
    inner join budgets
        on budgets.version = working_days.version
        and budgets.month = working_days.month
),

window_spend as (
    select spend.*
    from spend
    cross join window_bounds
    where spend.spend_date between window_bounds.first_day and window_bounds.last_spend_day
),

-- Per channel over every span together: the currencies of its spend and of its budget.
channel_currencies as (
    select
        channel,
        count(distinct coalesce(currency, '')) filter (where is_spend) as count_spend_currencies,
        min(currency) filter (where is_spend) as spend_currency,
        count(distinct coalesce(currency, '')) filter (where not is_spend)
            as count_budget_currencies,
        min(currency) filter (where not is_spend) as budget_currency,
    from (
        select channel, currency, true as is_spend, from window_spend
        union all
        select channel, currency, false as is_spend, from daily_budgets
    )
    group by channel
),

span_budgets as (
    select
        spans.span_order,
        daily_budgets.channel,
        count(*) as count_days_with_budget,
        sum(daily_budgets.day_budget) as budget_amount,
        count(distinct coalesce(daily_budgets.currency, '')) as count_budget_currencies,
        min(daily_budgets.currency) as budget_currency,
    from spans
    inner join daily_budgets
        on daily_budgets.work_date between spans.span_start and spans.span_end
    group by all
),

span_spend as (
    select
        spans.span_order,
        window_spend.channel,
        sum(window_spend.amount) as spend_amount,
        count(distinct coalesce(window_spend.currency, '')) as count_spend_currencies,
        min(window_spend.currency) as spend_currency,
    from spans
    inner join window_spend
        on window_spend.spend_date between spans.span_start and spans.span_end
    where spans.span <> 'month'
    group by all
),

-- Each span and channel with its working days, budget days, spend and their currencies: the
-- span's own, or where it has none (no spend, no budget day) the channel's over every span
-- when that is one, so a week without spend still compares alike. A span with no working
-- day owes 0 of the channel's budget.
span_channels as (
    select
        spans.span,
        spans.span_order,
        spans.span_start,
        spans.span_end,
        channel_currencies.channel,
        channel_currencies.count_spend_currencies > 0 as has_spend,
        channel_currencies.count_budget_currencies > 0 as has_budget,
        span_spend.spend_amount,
        coalesce(span_spend.count_spend_currencies, channel_currencies.count_spend_currencies)
            as count_spend_currencies,
        if(span_spend.channel is null, channel_currencies.spend_currency, span_spend.spend_currency)
            as spend_currency,
        span_spend.channel is not null as has_span_spend,
        span_working_days.count_working_days,
        span_budgets.count_days_with_budget,
        span_budgets.budget_amount,
        coalesce(span_budgets.count_budget_currencies, channel_currencies.count_budget_currencies)
            as count_budget_currencies,
        if(
            span_budgets.channel is null,
            channel_currencies.budget_currency,
            span_budgets.budget_currency
        ) as budget_currency,
        span_budgets.channel is not null as has_span_budget,
    from spans
    cross join channel_currencies
    inner join span_working_days
        on span_working_days.span_order = spans.span_order
    left join span_budgets
        on span_budgets.span_order = spans.span_order
        and span_budgets.channel = channel_currencies.channel
    left join span_spend
        on span_spend.span_order = spans.span_order
        and span_spend.channel = channel_currencies.channel
),

final as (
    select
        span,
        span_order,
        span_start,
        span_end,
        channel,
        case when count_spend_currencies <= 1 then spend_amount end as spend_amount,
        case when count_spend_currencies = 1 then spend_currency end as spend_currency,
        has_span_spend and count_spend_currencies > 1 as is_spend_mixed,
        case
            when count_budget_currencies > 1 then null
            when count_working_days = 0 and count_budget_currencies = 1 then 0
            when count_days_with_budget = count_working_days then round(budget_amount, 2)
        end as budget_amount,
        case when count_budget_currencies = 1 then budget_currency end as budget_currency,
        (has_span_budget or count_working_days = 0) and count_budget_currencies > 1
            as is_budget_mixed,
        has_spend,
        has_budget,
        coalesce(
            count_spend_currencies = 1
                and count_budget_currencies = 1
                and spend_currency is not distinct from budget_currency,
            false
        ) as is_comparable,
    from span_channels
)

select * from final
order by span_order, channel
