-- Share within the SLA by week: of the leads created each week, the share that sales first
-- contacted within the agreed time, each lead against the agreement in force when it was
-- created and its channel's rule, in that rule's basis (working or calendar hours;
-- funnel_revenue), over the leads judged. Never-contacted leads count as missed once their
-- agreed time has run out by the data's latest event (not before), and leads whose
-- upload has no first-contact column count neither way (count_unmeasurable). A lead whose
-- contact is dated before its creation has no response time and is left out too
-- (count_contacted_before_created). Nurtured leads have no agreed time: never a breach, and
-- not in the share's denominator (count_nurture).
-- Grain: one row per week (starting Monday) and channel, plus one row per week for all
-- channels together (is_total).
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all).

with

funnel as (
    select * from leads_created_in($start_date, $end_date, $channels, $owners, $segments)
),

per_week as (
    select
        cast(date_trunc('week', created_at) as date) as week_start,
        grouping(channel) = 1 as is_total,
        coalesce(channel, channels_total_label($channels)) as channel,
        count(*) as count_leads,
        count(*) filter (where not has_contact_data) as count_unmeasurable,
        count(*) filter (where is_within_agreed_time) as count_within_sla,
        count(is_within_agreed_time) as count_judged,
        count(*) filter (where is_contacted_before_created) as count_contacted_before_created,
        count(*) filter (
            where has_contact_data
                and not is_contacted_before_created
                and follow_up_kind = 'nurture'
        ) as count_nurture,
    from funnel
    group by grouping sets ((week_start, channel), (week_start))
),

final as (
    select
        *,
        count_within_sla / nullif(count_judged, 0) as share_within_sla,
    from per_week
)

select * from final
order by week_start, is_total, starts_with(channel, '('), channel
