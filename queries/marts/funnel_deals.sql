-- Every deal of the funnel as a row of its own: the deals of funnel_revenue's `deals` lists,
-- each with its funnel row's lead, channel, owner and segment (for the sidebar's filters) and
-- the creation of its lead. The revenue metrics read these 1.3M rows at 10M leads instead of
-- unnesting the lists of the 10M funnel rows (at 10M leads, 5 times as fast), and
-- deal_journeys starts from them.
-- Columns: lead_id and lead_created_at (null for a deal with no lead), channel, owner,
-- segment, then the deal's created_at, deal_id, closed_at, is_won, is_closed and amount, as in
-- the list; then lead_created_second, created_second and closed_second, those three times as
-- real instants (seconds since 1970 UTC; the loaded wall times are in the data's zone), so a
-- duration between them counts the nights the clocks change as they were. closed_second is
-- null for a deal not closed: an open deal's close date is only the one expected.
-- Grain: one row per deal (a deal belongs to one funnel row: its lead's, or its own when it
-- matches no lead).
-- Parameters: none. Materialised as the table funnel_deals after funnel_revenue, in order of
-- closing, so a period's wins are read from their own days.

with

funnel as (
    select * from funnel_revenue
    where count_deals > 0
),

data_zone as (
    select * from data_time_zone
),

zone_days as (
    select * from data_zone_days
),

deal_rows as (
    -- unnest in the select list: one row per deal, without the join a lateral unnest plans.
    select
        lead_id,
        channel,
        owner,
        segment,
        created_at as lead_created_at,
        unnest(deals, recursive := true),
    from funnel
),

-- Each time's instant from its local day's offsets (wall_second, macros.sql): three hash
-- joins on the small table of days, no call to the time-zone library per deal.
final as (
    select
        deal_rows.*,
        wall_second(
            deal_rows.lead_created_at,
            data_zone.time_zone,
            lead_created_day.offset_us_at_start,
            lead_created_day.offset_us_at_end
        ) as lead_created_second,
        wall_second(
            deal_rows.created_at,
            data_zone.time_zone,
            created_day.offset_us_at_start,
            created_day.offset_us_at_end
        ) as created_second,
        if(
            deal_rows.is_closed,
            wall_second(
                deal_rows.closed_at,
                data_zone.time_zone,
                closed_day.offset_us_at_start,
                closed_day.offset_us_at_end
            ),
            null
        ) as closed_second,
    from deal_rows
    cross join data_zone
    left join zone_days as lead_created_day
        on cast(deal_rows.lead_created_at as date) = lead_created_day.local_date
    left join zone_days as created_day
        on cast(deal_rows.created_at as date) = created_day.local_date
    left join zone_days as closed_day
        on cast(deal_rows.closed_at as date) = closed_day.local_date
)

select * from final
order by closed_at
