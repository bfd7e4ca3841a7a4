-- Deal journeys for attribution: the touches each deal's credit is shared over.
-- Grain: one row per touch of a deal, for won deals (basis 'revenue': touches up to the win)
-- and open deals (basis 'pipeline': touches up to the deal's creation). Lost deals have none.
-- Touches: the loaded touches of the deal's lead (stg_touches) at or before converted_at;
-- touches after it never count. A deal whose lead has none of those (no touches loaded, or
-- all of them later) has one touch, its lead's own source at the lead's creation; a deal that
-- matches no lead has one, its own source's channel at its creation ("(no lead)" without a
-- source). So every deal has a journey, and with no touches loaded every model gives the
-- revenue page's single-touch figures.
-- Columns: deal_id, basis, amount_cents (the amount in whole cents; 0 when the export gives
-- none), has_amount (whether it gives one), currency, lead_id, owner
-- and segment (the funnel's, for the sidebar filters), lead_created_at (null for a deal with no
-- lead: for cohorts of leads), lead_source_channel (the funnel's channel of the deal: its lead's
-- source, or its own; the revenue page credits it), position (0-based in time order, ties by
-- touch_id), channel, touched_at, converted_at (the win for revenue, the deal's creation for
-- pipeline), days_before_conversion (the real days from touched_at to converted_at, between
-- real instants: the night the clocks go back adds its hour; time decay's age of the touch),
-- is_direct (Direct, or no source at all), milestone (W-shaped's: 'first' the
-- first touch, 'lead' the last touch at or before the lead's creation, 'opportunity' the last
-- at or before the deal's creation; a touch that is several lists them, "first,lead"; null
-- for a touch that is none).
-- Parameters: none. Materialised as the table deal_journeys by `python -m revcycle build`.

with

-- One row per deal, with its funnel row's lead, channel, owner and segment.
funnel_deal_rows as (
    select * from funnel_deals
),

deals as (
    select * from stg_deals
),

data_zone as (
    select * from data_time_zone
),

zone_days as (
    select * from data_zone_days
),

credited_deals as (
    select
        funnel_deal_rows.deal_id,
        case when funnel_deal_rows.is_won then 'revenue' else 'pipeline' end as basis,
        -- Amounts are loaded to the cent; whole cents make every share an exact integer.
        cast(round(coalesce(funnel_deal_rows.amount, 0) * 100) as bigint) as amount_cents,
        -- A deal the export gives no amount is credited 0: has_amount says it is unknown.
        funnel_deal_rows.amount is not null as has_amount,
        deals.currency,
        funnel_deal_rows.lead_id,
        funnel_deal_rows.owner,
        funnel_deal_rows.segment,
        funnel_deal_rows.channel as lead_source_channel,
        funnel_deal_rows.lead_created_at,
        funnel_deal_rows.created_at as deal_created_at,
        case
            when funnel_deal_rows.is_won then funnel_deal_rows.closed_at
            else funnel_deal_rows.created_at
        end as converted_at,
        -- The same moments as real instants (funnel_deals).
        funnel_deal_rows.lead_created_second,
        funnel_deal_rows.created_second as deal_created_second,
        case
            when funnel_deal_rows.is_won then funnel_deal_rows.closed_second
            else funnel_deal_rows.created_second
        end as converted_second,
    from funnel_deal_rows
    left join deals
        on funnel_deal_rows.deal_id = deals.deal_id
    where funnel_deal_rows.is_won or not funnel_deal_rows.is_closed
),

lead_touches as (
    select * from stg_touches
    where lead_id is not null
),

-- A touch's instant from its local day's offsets (wall_second, macros.sql); one before the
-- data's first event has no day there and is asked of the time-zone library.
loaded_touches as (
    select
        credited_deals.deal_id,
        lead_touches.touch_id,
        lead_touches.channel,
        lead_touches.touched_at,
        wall_second(
            lead_touches.touched_at,
            data_zone.time_zone,
            touched_day.offset_us_at_start,
            touched_day.offset_us_at_end
        ) as touched_second,
    from credited_deals
    inner join lead_touches
        on credited_deals.lead_id = lead_touches.lead_id
    cross join data_zone
    left join zone_days as touched_day
        on cast(lead_touches.touched_at as date) = touched_day.local_date
    where lead_touches.touched_at <= credited_deals.converted_at
),

-- The lead-source touch, for the deals with no loaded touch before their conversion: the
-- lead's own source at its creation, or a deal's own source at the deal's creation when no
-- lead explains it.
source_touches as (
    select
        credited_deals.deal_id,
        coalesce(credited_deals.lead_id, credited_deals.deal_id) || ':source' as touch_id,
        credited_deals.lead_source_channel as channel,
        coalesce(credited_deals.lead_created_at, credited_deals.deal_created_at) as touched_at,
        coalesce(credited_deals.lead_created_second, credited_deals.deal_created_second)
            as touched_second,
    from credited_deals
    anti join loaded_touches
        on credited_deals.deal_id = loaded_touches.deal_id
),

touches as (
    select * from loaded_touches
    union all
    select * from source_touches
),

ordered_touches as (
    select
        touches.deal_id,
        touches.touch_id,
        touches.channel,
        touches.touched_at,
        touches.touched_second,
        row_number() over (
            partition by touches.deal_id order by touches.touched_at, touches.touch_id
        ) - 1 as position,
    from touches
),

-- The W-shaped milestones: the position of the last touch at or before each moment.
milestone_positions as (
    select
        ordered_touches.deal_id,
        max(ordered_touches.position)
            filter (where ordered_touches.touched_at <= credited_deals.lead_created_at)
            as lead_position,
        max(ordered_touches.position)
            filter (where ordered_touches.touched_at <= credited_deals.deal_created_at)
            as opportunity_position,
    from ordered_touches
    inner join credited_deals
        on ordered_touches.deal_id = credited_deals.deal_id
    group by ordered_touches.deal_id
),

with_milestones as (
    select
        ordered_touches.*,
        list_concat(
            case when ordered_touches.position = 0 then ['first'] else [] end,
            case
                when ordered_touches.position = milestone_positions.lead_position then ['lead']
                else []
            end,
            case
                when ordered_touches.position = milestone_positions.opportunity_position
                    then ['opportunity']
                else []
            end
        ) as milestones,
    from ordered_touches
    inner join milestone_positions
        on ordered_touches.deal_id = milestone_positions.deal_id
),

final as (
    select
        credited_deals.deal_id,
        credited_deals.basis,
        credited_deals.amount_cents,
        credited_deals.has_amount,
        credited_deals.currency,
        credited_deals.lead_id,
        credited_deals.owner,
        credited_deals.segment,
        credited_deals.lead_created_at,
        credited_deals.lead_source_channel,
        with_milestones.position,
        with_milestones.channel,
        with_milestones.touched_at,
        credited_deals.converted_at,
        (credited_deals.converted_second - with_milestones.touched_second) / 86400
            as days_before_conversion,
        with_milestones.channel in ('Direct', '(unknown)') as is_direct,
        nullif(array_to_string(with_milestones.milestones, ','), '') as milestone,
    from credited_deals
    inner join with_milestones
        on credited_deals.deal_id = with_milestones.deal_id
)

select * from final
order by deal_id, position
