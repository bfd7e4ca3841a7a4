-- The meeting's action list: leads created in the period that nobody has contacted although
-- their agreed response time has passed, oldest first. Each lead has its own agreed time, in
-- its own basis (working or calendar hours), from the agreement in force when it was created
-- (funnel_revenue's is_within_agreed_time is false for it); nurtured leads are never listed.
-- Grain: one row per lead, at most 500 (the oldest), with its company and email from
-- stg_leads so the owner can act on it. Age is measured up to the data's latest
-- event (funnel_as_of), the moment the exports describe. Only leads whose upload records
-- contacts are listed: with no first-contact column, "not contacted" is unknown, not a delay.
-- hours_waiting is real elapsed time since creation (the night the clocks change counted as
-- it was), whatever the basis of the lead's agreed time.
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all).

with

funnel as (
    select * from leads_created_in($start_date, $end_date, $channels, $owners, $segments)
),

as_of as (
    select * from funnel_as_of
),

data_zone as (
    select * from data_time_zone
),

zone_days as (
    select * from data_zone_days
),

waiting as (
    select
        funnel.lead_id,
        funnel.owner,
        funnel.channel,
        funnel.created_at,
        funnel.follow_up_kind,
        funnel.agreed_response_hours,
        funnel.response_basis,
        -- Between real instants: the creation's from its local day's offsets (wall_second).
        (
            as_of.data_as_of_second
                - wall_second(
                    funnel.created_at,
                    data_zone.time_zone,
                    created_day.offset_us_at_start,
                    created_day.offset_us_at_end
                )
        ) / 3600 as hours_waiting,
        funnel.stage_reached,
    from funnel
    cross join as_of
    cross join data_zone
    left join zone_days as created_day
        on cast(funnel.created_at as date) = created_day.local_date
    where funnel.first_contacted_at is null
        and not funnel.is_within_agreed_time
),

oldest as (
    select * from waiting
    order by hours_waiting desc, lead_id
    limit 500
),

-- Contact details are not in the mart: they are looked up for the 500 listed leads only.
contacts as (
    select lead_id, company, email from stg_leads
    semi join oldest using (lead_id)
),

final as (
    select
        oldest.lead_id,
        oldest.owner,
        oldest.channel,
        contacts.company,
        contacts.email,
        oldest.created_at,
        oldest.follow_up_kind,
        oldest.agreed_response_hours,
        oldest.response_basis,
        oldest.hours_waiting,
        oldest.stage_reached,
        oldest.hours_waiting / 24 as days_waiting,
    from oldest
    left join contacts
        on oldest.lead_id = contacts.lead_id
)

select * from final
order by hours_waiting desc, lead_id
