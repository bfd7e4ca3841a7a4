-- Targets in the period: each monthly target the teams agreed, prorated to the period by
-- working days, so a four-week view is measured against four weeks of the promise.
-- A day takes 1 / (working days of its month) of the month's target, both counted under the
-- agreement version in force that day (the latest effective on or before it; before the first
-- version, the first): marts/agreed_working_days.sql, shared with the budgets. A working day
-- is a weekday with working hours and not a day off (public holiday or closing day). Counts
-- and amounts add up over the period's working days; a share target is their average, as a
-- share does not add up.
-- A target exists for the period only when every working day of it has one: a period half in
-- a month without a target has no target at all, never half of one.
-- Grain: one row per target metric and channel (channel null: the all-channels target), with
-- is_view true on the rows for the view the filters show: the all-channels target when no
-- channel is chosen; with channels chosen, the sum of theirs (a share only for one channel),
-- target_in_period null when any chosen channel has none.
-- Parameters: $start_date, $end_date (dates, both included); $channels (list or null).

with

targets as (
    select version, target_month as month, channel, metric, target from stg_agreement_targets
),

-- The proration by working days under the version in force each day is shared with the
-- budgets (marts/agreed_working_days.sql).
period_working_days as (
    select * from agreed_working_days($start_date, $end_date)
),

count_period as (
    select count(*) as count_working_days from period_working_days
),

daily_targets as (
    select
        targets.metric,
        targets.channel,
        targets.target,
        period_working_days.count_month_working_days,
    from period_working_days
    inner join targets
        on targets.version = period_working_days.version
        and targets.month = period_working_days.month
),

prorated as (
    select
        daily_targets.metric,
        daily_targets.channel,
        daily_targets.metric like 'share_%' as is_share,
        count(*) as count_days_with_target,
        case
            when daily_targets.metric like 'share_%' then avg(daily_targets.target)
            else sum(daily_targets.target / daily_targets.count_month_working_days)
        end as target_in_period,
    from daily_targets
    group by daily_targets.metric, daily_targets.channel
),

-- Every metric with a target anywhere in the period, so an empty view row can say "none".
complete as (
    select
        prorated.metric,
        prorated.channel,
        prorated.is_share,
        case
            when prorated.count_days_with_target = count_period.count_working_days
                then prorated.target_in_period
        end as target_in_period,
    from prorated
    cross join count_period
),

chosen as (
    select
        complete.metric,
        any_value(complete.is_share) as is_share,
        count(complete.target_in_period) as count_channels_with_target,
        sum(complete.target_in_period) as target_in_period,
    from complete
    where list_contains($channels, complete.channel)
    group by complete.metric
),

view_rows as (
    select
        complete.metric,
        cast(null as varchar) as channel,
        true as is_view,
        complete.target_in_period,
    from complete
    where $channels is null and complete.channel is null
    union all
    select
        chosen.metric,
        cast(null as varchar) as channel,
        true as is_view,
        case
            when chosen.count_channels_with_target < len(list_distinct($channels)) then null
            when chosen.is_share and len(list_distinct($channels)) > 1 then null
            else chosen.target_in_period
        end as target_in_period,
    from chosen
),

final as (
    select
        metric,
        channel,
        false as is_view,
        target_in_period,
    from complete
    union all
    select * from view_rows
)

select * from final
