-- What if: the share of the period's leads first contacted within one hypothetical response
-- time, the same for every channel, each lead measured in the basis of its own agreed rule
-- (working or calendar hours). A sandbox beside the agreed figures, never instead of them.
-- As follow_up_speed's share: never-contacted leads count as missed; leads whose upload has
-- no first-contact column, leads contacted before they were created and nurtured leads (no
-- response time agreed) are not in the denominator.
-- Grain: one row per channel, plus one for all channels together (is_total).
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all); $response_hours (number, the hypothetical time).

with

funnel as (
    select * from leads_created_in($start_date, $end_date, $channels, $owners, $segments)
),

measurable as (
    select * from funnel
    where has_contact_data
        and not is_contacted_before_created
        and follow_up_kind <> 'nurture'
),

per_channel as (
    select
        grouping(channel) = 1 as is_total,
        coalesce(channel, channels_total_label($channels)) as channel,
        count(*) as count_leads,
        count(*) filter (where hours_to_first_contact <= $response_hours) as count_within,
    from measurable
    group by grouping sets ((channel), ())
),

final as (
    select
        *,
        count_within / nullif(count_leads, 0) as share_within,
    from per_channel
)

select * from final
order by is_total, starts_with(channel, '('), channel
