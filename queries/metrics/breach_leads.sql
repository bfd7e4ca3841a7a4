-- Breach leads: the leads created in the period (the meeting's week) that waited past the
-- response time agreed for their channel, as breaches_by_owner counts them, one by one.
-- No contact details (email, company): the list is shown on the meeting's shared screen.
-- The agreed rule is the one the lead is judged by (the agreement version in force when it
-- was created, its channel's rule or the default): the caller words it.
-- hours_to_first_contact is in the rule's basis (working or calendar hours); null while the
-- lead is still waiting for its first contact (is_still_waiting), and for a contact dated by
-- its day alone, whose earliest_hours_to_first_contact says how long it took at least.
-- Grain: one row per breach lead: the still-waiting first, oldest first; then the others,
-- the longest wait first.
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all).

with

funnel as (
    select * from leads_created_in($start_date, $end_date, $channels, $owners, $segments)
),

final as (
    select
        lead_id,
        owner,
        channel,
        created_at,
        follow_up_kind,
        agreed_response_hours,
        response_basis,
        agreement_version,
        hours_to_first_contact,
        earliest_hours_to_first_contact,
        first_contacted_at is null as is_still_waiting,
    from funnel
    where not is_within_agreed_time
)

select * from final
order by
    is_still_waiting desc,
    coalesce(hours_to_first_contact, earliest_hours_to_first_contact) desc,
    created_at,
    lead_id
