-- Spend by day, as the cost and return metrics read it: stg_spend written once per build, so a
-- metric sums a few thousand stored rows, instead of spreading every export row over its days
-- again (and looking campaigns up among the leads and touches) each time it runs.
-- Grain: as stg_spend: one row per spend_date x channel x campaign (x currency, should the
-- rows counted for one of them state two) with spend.
-- Parameters: none. Materialised as the table spend_days by `python -m revcycle build`.

with

spend as (
    select * from stg_spend
),

final as (
    select
        spend_date,
        channel,
        campaign,
        amount,
        currency,
    from spend
)

select * from final
-- In day order: a period's spend is then a few row groups, skipped by their min/max dates.
order by spend_date, channel
