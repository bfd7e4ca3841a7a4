-- The meeting's action list: leads created in the period that nobody has contacted although
-- the agreed response time has passed, oldest first.
-- Grain: one row per lead, at most 500 (the oldest), with its company and email from
-- stg_leads so the owner can act on it. Age is measured up to the data's latest
-- event (funnel_as_of), the moment the exports describe.
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all); $sla_hours (number).

with

funnel as (
    select * from leads_created_in($start_date, $end_date, $channels, $owners, $segments)
),

as_of as (
    select * from funnel_as_of
),

-- Contact details are not in the mart; the list is short, so the join is cheap.
contacts as (
    select lead_id, company, email from stg_leads
),

waiting as (
    select
        funnel.lead_id,
        funnel.owner,
        funnel.channel,
        contacts.company,
        contacts.email,
        funnel.created_at,
        date_diff('second', funnel.created_at, as_of.data_as_of) / 3600 as hours_waiting,
        funnel.stage_reached,
    from funnel
    cross join as_of
    left join contacts
        on funnel.lead_id = contacts.lead_id
    where funnel.first_contacted_at is null
),

final as (
    select
        *,
        hours_waiting / 24 as days_waiting,
    from waiting
    where hours_waiting > $sla_hours
    order by hours_waiting desc, lead_id
    limit 500
)

select * from final
order by hours_waiting desc, lead_id
