-- MQL quality by channel: what sales did with the MQLs of the period (the meeting's week),
-- so "marketing sends bad leads" becomes a number: accepted, rejected and still pending, and
-- the rejections by reason.
-- The period's MQLs are the leads whose mql_at falls in it. Accepted: the lead reached SQL
-- (has_reached_sql: an SQL date, a conversion or a lifecycle stage past MQL). Rejected:
-- disqualified without reaching SQL (is_disqualified: a disqualification reason, or a status
-- saying so, see funnel_revenue). Pending: neither. acceptance_rate is accepted over the
-- MQLs sales answered (accepted + rejected): a pending MQL is not a rejection yet.
-- count_with_rejection_data: MQLs with a status or a reason at all; count_with_sql_outcome:
-- MQLs whose upload can tell whether they reached SQL. With MQLs but none of either, the
-- caller says what cannot be measured instead of showing all of them pending.
-- The answer the agreement asks for: sales accepts or rejects an MQL within the agreement's
-- answer_within_working_days (the version in force on the MQL's day), counted in working days
-- after that day (agreed_working_days: the agreed weekdays, not the days off), so its due day
-- is the last of them, whole. count_answered_in_time: accepted with an SQL date on or before
-- the due day; count_answered_late: after it; count_unanswered_past_due: neither accepted nor
-- rejected, in an upload that records both, and the due day over by the data's "now"
-- (funnel_as_of). share_answered_in_time is the first over the three. A rejection is dated by
-- no export, and an acceptance without an SQL date (a lifecycle stage past MQL) has no day:
-- neither is judged, nor is an MQL whose due day is still to come.
-- Grain: one row per channel and reason of rejection (reason null: the channel's row of
-- counts), plus the same for all channels together (is_total; "(all channels)", or
-- "(selected channels)" when $channels narrows them). A rejection with a status but no reason
-- has the reason "(no reason given)".
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all).

with

funnel as (
    select * from funnel_in_scope($channels, $owners, $segments)
    where has_lead
        and is_in_period(mql_at, $start_date, $end_date)
),

-- Each MQL's due day: the agreed number of working days after the day it became an MQL.
answer_days as (
    select
        funnel.lead_id,
        cast(funnel.mql_at as date) as mql_day,
        coalesce(
            max_by(versions.answer_within_working_days, versions.version)
                filter (where versions.effective_from <= cast(funnel.mql_at as date)),
            min_by(versions.answer_within_working_days, versions.version)
        ) as count_days,
    from funnel
    cross join stg_agreement_versions as versions
    group by all
),

working_days as (
    select
        work_date,
        row_number() over (order by work_date) as day_number,
    from agreed_working_days($start_date, cast($end_date as date) + 366)
),

-- The first working day after each MQL's day: the nearest later one (an as-of join, one
-- match per MQL, however many days there are).
first_working_day_after as (
    select
        answer_days.lead_id,
        answer_days.count_days,
        working_days.day_number,
    from answer_days
    asof inner join working_days
        on answer_days.mql_day < working_days.work_date
),

due_days as (
    select
        first_working_day_after.lead_id,
        working_days.work_date as due_day,
    from first_working_day_after
    inner join working_days
        on working_days.day_number
            = first_working_day_after.day_number + first_working_day_after.count_days - 1
),

mqls as (
    select
        lead_id,
        channel,
        has_reached_sql as is_accepted,
        cast(sql_at as date) <= due_days.due_day as is_answered_in_time,
        cast(sql_at as date) > due_days.due_day as is_answered_late,
        not has_reached_sql
            and not coalesce(is_disqualified, false)
            and coalesce(has_sql_outcome, false)
            and has_lead_status
            and due_days.due_day < cast(as_of.data_as_of as date) as is_unanswered_past_due,
        coalesce(has_sql_outcome, false) as has_sql_outcome,
        has_lead_status as has_rejection_data,
        is_disqualified and not has_reached_sql as is_rejected,
        coalesce(disqualified_reason, '(no reason given)') as reason,
    from funnel
    left join due_days
        using (lead_id)
    cross join funnel_as_of as as_of
),

counts as (
    select
        grouping(channel) = 1 as is_total,
        coalesce(channel, channels_total_label($channels)) as channel,
        cast(null as varchar) as reason,
        count(*) as count_mqls,
        count(*) filter (where is_accepted) as count_accepted,
        count(*) filter (where is_rejected) as count_rejected,
        count(*) filter (where not is_accepted and not is_rejected) as count_pending,
        count(*) filter (where has_rejection_data) as count_with_rejection_data,
        count(*) filter (where has_sql_outcome) as count_with_sql_outcome,
        count(*) filter (where is_answered_in_time) as count_answered_in_time,
        count(*) filter (where is_answered_late) as count_answered_late,
        count(*) filter (where is_unanswered_past_due) as count_unanswered_past_due,
    from mqls
    group by grouping sets ((channel), ())
),

reasons as (
    select
        grouping(channel) = 1 as is_total,
        coalesce(channel, channels_total_label($channels)) as channel,
        reason,
        count(*) as count_rejected,
    from mqls
    where is_rejected
    group by grouping sets ((channel, reason), (reason))
),

final as (
    select
        is_total,
        channel,
        reason,
        count_mqls,
        count_accepted,
        count_rejected,
        count_pending,
        count_with_rejection_data,
        count_with_sql_outcome,
        count_accepted / nullif(count_accepted + count_rejected, 0) as acceptance_rate,
        count_answered_in_time,
        count_answered_late,
        count_unanswered_past_due,
        count_answered_in_time
            / nullif(count_answered_in_time + count_answered_late + count_unanswered_past_due, 0)
            as share_answered_in_time,
    from counts
    union all by name
    select * from reasons
)

select * from final
order by is_total, starts_with(channel, '('), channel, reason is not null, count_rejected desc, reason
