-- Step conversion by channel, recent against baseline: for each channel and each step of the
-- funnel (lead → MQL, MQL → SQL, SQL → opportunity, opportunity → won), how many entered the
-- step in the recent weeks and in the baseline weeks before them, and how many of those took
-- the next step within the step's maturity days. The leak finder (revcycle/meeting/leak.py)
-- tests each recent share against the same channel's baseline.
-- Entering a step: a lead by its creation, an MQL by mql_at, an SQL by sql_at, an opportunity
-- by its first deal's creation (a deal with no lead is an opportunity too). A conversion
-- counts only within the step's maturity days of entering it — 7 (lead → MQL), 14 (MQL →
-- SQL), 21 (SQL → opportunity), 91 (opportunity → won); about 9 in 10 conversions of the
-- sample come that fast — so recent and baseline entrants had the same time to convert.
-- Windows, per step: the horizon is the end of $end_date, or the data's latest event
-- (funnel_as_of) when that is earlier. The recent window is the 4 latest whole ISO weeks whose
-- entrants all had the step's maturity days by the horizon; the baseline is the 12 weeks
-- before it. Later steps need longer, so their windows lie further back.
-- Lead → MQL and MQL → SQL count only entrants whose upload has a date column for the stage
-- they may reach (has_mql_data, has_sql_data): a lifecycle stage says a lead got there, not
-- when, and older leads have had longer to get there, so a baseline judged by it would beat
-- any recent cohort. The others are counted apart (count_*_unmeasured), as are, at MQL → SQL
-- and SQL → opportunity, the leads of an upload with no MQL (SQL) date column, in the weeks
-- they were created: when they entered the step is unknown. Within an upload with the column,
-- a lead whose lifecycle stage or conversion says it converted, with no date, counts as
-- converted (as cohort_leads does).
-- Grain: one row per channel and step: every channel with an entrant in some step's windows,
-- times the four steps (zeros where a step had none); with no entrant at all, one row per step
-- with a null channel, so the windows are still known.
-- Parameters: $end_date (the last day of the meeting's week); $channels, $owners, $segments
-- (lists of values to keep, or null for all).

with

steps as (
    select * from (
        values
            ('lead', 'mql', 7),
            ('mql', 'sql', 14),
            ('sql', 'opportunity', 21),
            ('opportunity', 'won', 91)
    ) as steps (step_from, step_to, maturity_days)
),

as_of as (
    select * from funnel_as_of
),

windows as (
    select
        steps.*,
        least(cast($end_date as timestamp) + interval 1 day, as_of.data_as_of) as horizon_at,
        -- The Monday after the latest whole week whose entrants have all matured.
        cast(date_trunc('week', horizon_at - to_days(steps.maturity_days)) as date)
            as recent_ends_before,
        recent_ends_before - 28 as recent_start_date,
        recent_ends_before - 1 as recent_end_date,
        recent_ends_before - 28 - 84 as baseline_start_date,
        recent_ends_before - 28 - 1 as baseline_end_date,
    from steps
    cross join as_of
),

lead_window as (
    select * from windows
    where step_from = 'lead'
),

-- The lead → MQL step reads cohort_leads, whose reached_mql is the cohort pages' own rule.
lead_cohort as (
    select * from cohort_leads(
        (select baseline_start_date from lead_window),
        (select recent_end_date from lead_window),
        $channels,
        $owners,
        $segments,
        (select maturity_days from lead_window)
    )
),

-- Not materialised: each step scans only the columns and rows it needs.
funnel as not materialized (
    select * from funnel_in_scope($channels, $owners, $segments)
),

-- The leads, with when each entered the MQL and the SQL step. A lead from an upload with no
-- column for that date cannot be placed: it stands in the weeks it was created, where it is
-- counted as unmeasured, never as an entrant that did not convert. Each part places its leads
-- by a stored date, so the join with the step's window narrows the scan to the window's weeks
-- (a date worked out per lead had every lead read: 0.8 s at 10M leads, now 0.5 s).
mql_entrants as not materialized (
    select
        *,
        mql_at as mql_placed_at,
    from funnel
    where has_lead and mql_at is not null
    union all
    select
        *,
        created_at as mql_placed_at,
    from funnel
    where has_lead and mql_at is null and has_mql_data is not true
),

sql_entrants as not materialized (
    select
        *,
        sql_at as sql_placed_at,
    from funnel
    where has_lead and sql_at is not null
    union all
    select
        *,
        created_at as sql_placed_at,
    from funnel
    where has_lead and sql_at is null and has_sql_data is not true
),

-- Each step joins its own window: the entrants of its baseline and recent weeks, and whether
-- they converted within its maturity days; each entrant carries its window, so placing it in
-- the recent or the baseline weeks needs no second join.
entrants as (
    select
        windows.*,
        lead_cohort.channel,
        lead_cohort.created_at as entered_at,
        lead_cohort.reached_mql as has_converted,
        lead_cohort.has_mql_data as is_measured,
        0 as won_revenue,
    from lead_cohort
    cross join lead_window as windows
    union all
    select
        windows.*,
        leads.channel,
        leads.mql_placed_at as entered_at,
        coalesce(
            leads.sql_at <= leads.mql_at + to_days(windows.maturity_days),
            leads.has_reached_sql
        ) as has_converted,
        leads.mql_at is not null and leads.has_sql_data as is_measured,
        0 as won_revenue,
    from mql_entrants as leads
    inner join windows
        on windows.step_from = 'mql'
    where is_in_period(leads.mql_placed_at, windows.baseline_start_date, windows.recent_end_date)
    union all
    select
        windows.*,
        leads.channel,
        leads.sql_placed_at as entered_at,
        coalesce(
            leads.first_deal_created_at <= leads.sql_at + to_days(windows.maturity_days),
            false
        ) as has_converted,
        leads.sql_at is not null as is_measured,
        0 as won_revenue,
    from sql_entrants as leads
    inner join windows
        on windows.step_from = 'sql'
    where is_in_period(leads.sql_placed_at, windows.baseline_start_date, windows.recent_end_date)
    union all
    select
        windows.*,
        funnel.channel,
        funnel.first_deal_created_at as entered_at,
        coalesce(
            funnel.first_won_at
                <= funnel.first_deal_created_at + to_days(windows.maturity_days),
            false
        ) as has_converted,
        true as is_measured,
        funnel.won_revenue,
    from funnel
    inner join windows
        on windows.step_from = 'opportunity'
    where is_in_period(
        funnel.first_deal_created_at, windows.baseline_start_date, windows.recent_end_date
    )
),

placed as (
    select
        *,
        is_in_period(entered_at, recent_start_date, recent_end_date) as is_recent,
        is_in_period(entered_at, baseline_start_date, baseline_end_date) as is_baseline,
    from entrants
),

counts as (
    select
        step_from,
        channel,
        count(*) filter (where is_recent and is_measured) as recent_entered,
        count(*) filter (where is_recent and is_measured and has_converted) as recent_converted,
        count(*) filter (where is_recent and not is_measured) as count_recent_unmeasured,
        count(*) filter (where is_baseline and is_measured) as baseline_entered,
        count(*) filter (where is_baseline and is_measured and has_converted)
            as baseline_converted,
        count(*) filter (where is_baseline and not is_measured) as count_baseline_unmeasured,
        coalesce(sum(won_revenue) filter (where is_baseline and has_converted), 0)
            as baseline_won_revenue,
    from placed
    where is_recent or is_baseline
    group by all
),

channels as (
    select distinct channel from counts
),

final as (
    select
        channels.channel,
        windows.step_from,
        windows.step_to,
        stage_order(windows.step_from) as step_order,
        windows.maturity_days,
        windows.recent_start_date,
        windows.recent_end_date,
        windows.baseline_start_date,
        windows.baseline_end_date,
        coalesce(counts.recent_entered, 0) as recent_entered,
        coalesce(counts.recent_converted, 0) as recent_converted,
        counts.recent_converted / nullif(counts.recent_entered, 0) as recent_rate,
        wilson_interval(counts.recent_converted, counts.recent_entered).low as recent_low,
        wilson_interval(counts.recent_converted, counts.recent_entered).high as recent_high,
        coalesce(counts.count_recent_unmeasured, 0) as count_recent_unmeasured,
        coalesce(counts.baseline_entered, 0) as baseline_entered,
        coalesce(counts.baseline_converted, 0) as baseline_converted,
        counts.baseline_converted / nullif(counts.baseline_entered, 0) as baseline_rate,
        wilson_interval(counts.baseline_converted, counts.baseline_entered).low as baseline_low,
        wilson_interval(counts.baseline_converted, counts.baseline_entered).high
            as baseline_high,
        coalesce(counts.count_baseline_unmeasured, 0) as count_baseline_unmeasured,
        coalesce(counts.baseline_won_revenue, 0) as baseline_won_revenue,
    from windows
    -- With no entrant at all, the windows still come back once, with a null channel.
    left join channels
        on true
    left join counts
        on channels.channel = counts.channel
        and windows.step_from = counts.step_from
)

select * from final
order by starts_with(channel, '('), channel, step_order
