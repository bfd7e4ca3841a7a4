-- Follow-up breaches by owner: of the leads created in the period (the meeting's week), how
-- many waited past the response time agreed for their channel, per owner, worst first.
-- A breach is a lead judged not within its agreed time (funnel_revenue.is_within_agreed_time
-- false): contacted too late, or never contacted and its time ran out by the data's latest
-- event. Measured leads are those judged either way; nurtured leads (no response time), leads
-- from an upload with no first-contact column, leads contacted before they were created and
-- leads whose time has not run out yet are not judged, so never a breach and not measured.
-- count_still_waiting: of the breaches, those not contacted at all yet.
-- Grain: one row per owner with a measured lead ("(unassigned)" for leads with no owner).
-- Order: most breaches first, then the larger share of breaches, then the owner's name.
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all).

with

funnel as (
    select * from leads_created_in($start_date, $end_date, $channels, $owners, $segments)
),

per_owner as (
    select
        owner,
        count(*) filter (where not is_within_agreed_time) as count_breaches,
        count(is_within_agreed_time) as count_leads_measured,
        count(*) filter (
            where not is_within_agreed_time and first_contacted_at is null
        ) as count_still_waiting,
    from funnel
    group by owner
    having count(is_within_agreed_time) > 0
),

final as (
    select
        owner,
        count_breaches,
        count_leads_measured,
        count_still_waiting,
    from per_owner
)

select * from final
order by count_breaches desc, count_breaches / count_leads_measured desc, owner
