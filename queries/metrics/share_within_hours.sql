-- What if: the share of the period's leads first contacted within one hypothetical response
-- time, the same for every channel, each lead measured in the basis of its own agreed rule
-- (working or calendar hours). A sandbox beside the agreed figures, never instead of them.
-- Each lead is judged as the agreed share judges it (is_within_hours, macros.sql, on
-- funnel_revenue's bounds of its time to first contact), with this time for its agreed one:
-- a lead never contacted counts as missed once the time has run out by the data's latest
-- event, not before; a contact dated by its day alone counts when even the end of its day is
-- within, as missed when even its start is past, and not otherwise. Leads whose upload has no
-- first-contact column, leads contacted before they were created and nurtured leads (no
-- response time agreed) are not judged. At an agreed time of every channel, the share is the
-- agreed share.
-- Grain: one row per channel with leads from uploads that record contacts, plus one for all
-- channels together (is_total); count_leads counts the judged ones.
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all); $response_hours (number, the hypothetical time).

with

funnel as (
    select * from leads_created_in($start_date, $end_date, $channels, $owners, $segments)
),

judged as (
    select
        channel,
        is_within_hours(
            earliest_hours_to_first_contact,
            latest_hours_to_first_contact,
            is_waiting_while_closed,
            $response_hours
        ) as is_within,
    from funnel
    where has_contact_data and follow_up_kind <> 'nurture'
),

per_channel as (
    select
        grouping(channel) = 1 as is_total,
        coalesce(channel, channels_total_label($channels)) as channel,
        count(is_within) as count_leads,
        count(*) filter (where is_within) as count_within,
    from judged
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
