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

mqls as (
    select
        lead_id,
        channel,
        has_reached_sql as is_accepted,
        coalesce(has_sql_outcome, false) as has_sql_outcome,
        has_lead_status as has_rejection_data,
        is_disqualified and not has_reached_sql as is_rejected,
        coalesce(disqualified_reason, '(no reason given)') as reason,
    from funnel
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
    from counts
    union all by name
    select * from reasons
)

select * from final
order by is_total, starts_with(channel, '('), channel, reason is not null, count_rejected desc, reason
