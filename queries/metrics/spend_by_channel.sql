-- Spend per channel: what the spend exports say was spent on each channel in the period.
-- Grain: one row per channel with spend on a day of the period. A channel with none has no
-- row: it has "no spend recorded", which is never the same as a spend of 0.
-- spend_cents: the days' amounts summed, in whole cents (stg_spend spreads an export row over
-- its days to the cent, so any period gets its exact share). Currencies are not split here:
-- spend_currencies says whether the spend can be added at all.
-- count_spend_days: days with spend; count_campaigns: campaigns named (a row without one is
-- not counted).
-- Parameters: $start_date, $end_date (dates, both included); $channels (a list of values to
-- keep, or null for all). Spend has no owner or segment.

with

spend as (
    select * from spend_days
),

in_period as (
    select * from spend
    where spend_date between $start_date and $end_date
        and ($channels is null or list_contains($channels, channel))
),

final as (
    select
        channel,
        cast(sum(amount) * 100 as bigint) as spend_cents,
        count(distinct spend_date) as count_spend_days,
        count(distinct campaign) as count_campaigns,
    from in_period
    group by channel
)

select * from final
order by spend_cents desc, channel
