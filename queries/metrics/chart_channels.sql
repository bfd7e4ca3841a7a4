-- Chart channels: every channel a chart can draw, so each gets its colour: the funnel's (the
-- leads' and deals' own channels, which the sidebar offers) and the touches' that attribution
-- credits (Direct or Paid social may only ever be a touch's channel).
-- Grain: one row per channel.
-- Parameters: none.

with

funnel_channels as (
    select distinct channel from funnel_revenue
),

touch_channels as (
    select distinct channel from deal_journeys
),

final as (
    select channel from funnel_channels
    union
    select channel from touch_channels
)

select * from final
order by channel
