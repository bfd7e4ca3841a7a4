-- Follow-up speed: how fast sales first contacts the leads created in the period, against
-- the response time both teams agreed (the SLA): each lead against its own agreed time, from
-- the agreement in force when it was created and its channel's rule (funnel_revenue).
-- Grain: one row per channel (grouped_by = 'channel'), one per owner (grouped_by = 'owner')
-- and one for all leads together (grouped_by = 'all'); group_value names the channel or owner.
-- Hours run from the lead's creation to its first contact, in the basis of its channel's rule
-- (working hours of the agreement's calendar, or real elapsed hours), so a row mixing channels
-- mixes bases as the agreement does. The percentiles (10th, 25th, median, 75th, 90th; linear
-- interpolation) are over contacted leads that are not nurtured; share_within_sla is over the
-- leads judged (funnel_revenue's is_within_agreed_time), so a lead never contacted counts
-- against it once its agreed time has run out by the data's latest event (not before), and a
-- lead from a file with no first-contact column counts neither way (count_unmeasurable;
-- "never contacted" is only said of leads whose data records contacts).
-- Nurtured leads (follow-up kind nurture) have no agreed time: never a breach, not in the
-- share's denominator, not in the percentiles; count_nurture says how many (of the measurable).
-- A lead whose contact is dated before its creation has no time to measure: it is left out of
-- both (hours_to_first_contact is null for it in the mart), and count_contacted_before_created
-- says how many. A contact dated by its day alone has no hours either (the mart's bounds judge
-- it): it is in neither the percentiles nor count_contacted, and count_contact_hour_unknown
-- says how many.
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all).

with

funnel as (
    select * from leads_created_in($start_date, $end_date, $channels, $owners, $segments)
),

speed as (
    select
        case
            when grouping(channel) = 0 then 'channel'
            when grouping(owner) = 0 then 'owner'
            else 'all'
        end as grouped_by,
        coalesce(channel, owner, '(all leads)') as group_value,
        count(*) as count_leads,
        count(*) filter (where not has_contact_data) as count_unmeasurable,
        count(hours_to_first_contact) as count_contacted,
        count(*) filter (
            where has_contact_data
                and not is_contacted_before_created
                and follow_up_kind = 'nurture'
        ) as count_nurture,
        count(*) filter (where has_contact_data and first_contacted_at is null)
            as count_never_contacted,
        count(*) filter (where is_contacted_before_created) as count_contacted_before_created,
        count(*) filter (
            where first_contacted_at is not null
                and not is_contacted_before_created
                and hours_to_first_contact is null
        ) as count_contact_hour_unknown,
        quantile_cont(hours_to_first_contact, [0.1, 0.25, 0.5, 0.75, 0.9])
            filter (where follow_up_kind <> 'nurture') as hour_quantiles,
        count(*) filter (where is_within_agreed_time) as count_within_sla,
        count(is_within_agreed_time) as count_judged,
    from funnel
    group by grouping sets ((channel), (owner), ())
    having count(*) > 0
),

final as (
    select
        grouped_by,
        group_value,
        count_leads,
        count_unmeasurable,
        count_contacted,
        count_never_contacted,
        count_contacted_before_created,
        count_contact_hour_unknown,
        count_nurture,
        hour_quantiles[3] as median_hours_to_first_contact,
        hour_quantiles[5] as p90_hours_to_first_contact,
        hour_quantiles[1] as p10_hours_to_first_contact,
        hour_quantiles[2] as p25_hours_to_first_contact,
        hour_quantiles[4] as p75_hours_to_first_contact,
        count_within_sla,
        count_within_sla / nullif(count_judged, 0) as share_within_sla,
    from speed
)

select * from final
order by grouped_by, starts_with(group_value, '('), group_value
