-- The data zone's days: how far each local day of the loaded data is ahead of UTC, so a
-- loaded wall time becomes a real instant with one join and a subtraction (wall_second in
-- macros.sql), not a call to the time-zone library per row. Every duration between loaded
-- times is measured between such instants, so the nights the clocks change count as they
-- were: hours to first contact and waiting (funnel_revenue, leads_waiting_past_sla), days
-- from lead to win and the sales cycle (funnel_deals, revenue_by_channel), and how long
-- before a deal's conversion each touch came (deal_journeys, for time decay).
-- Days: each local day from the data's first event (funnel_as_of) to the day after its last
-- (the end of a contact dated by its day alone), within the years 1900 to 2199, which bound
-- the table whatever a stray date says. A wall time on a day outside them (a touch before
-- the first event, say) finds no row, and wall_second asks the time-zone library for it.
-- Columns: local_date; offset_us_at_start and offset_us_at_end, the zone's utc_offset_us at
-- the day's first and last microsecond: on the days the clocks do not move the two agree.
-- Grain: one row per local day in the data's zone (data_time_zone).
-- Parameters: none. Materialised as the table data_zone_days after funnel_as_of.

with

as_of as (
    select * from funnel_as_of
),

data_zone as (
    select * from data_time_zone
),

final as (
    select
        cast(days.day as date) as local_date,
        utc_offset_us(data_zone.time_zone, days.day) as offset_us_at_start,
        utc_offset_us(data_zone.time_zone, days.day + interval 1 day - interval 1 microsecond)
            as offset_us_at_end,
    from as_of
    cross join data_zone
    cross join range(
        greatest(date_trunc('day', as_of.first_event_at), timestamp '1900-01-01'),
        least(date_trunc('day', as_of.last_event_at), timestamp '2199-12-31')
            + interval 2 day,
        interval 1 day
    ) as days(day)
)

select * from final
