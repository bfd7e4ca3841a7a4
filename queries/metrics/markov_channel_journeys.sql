-- How many of the Markov chain's journeys hold each channel, for its trust verdict (a channel
-- in too few journeys cannot be judged), with the journeys that converted.
-- Grain: one row per channel: count_journeys (journeys holding it at least once),
-- count_conversions (of those, the converting ones).
-- Journeys: markov_journeys (converting and not, in the period and scope).
-- Parameters: $basis ('revenue' or 'pipeline'); $start_date, $end_date (dates, both included);
-- $owners, $segments (lists of values to keep, or null for all).

with

journeys as (
    select * from markov_journeys($basis, $start_date, $end_date, $owners, $segments)
),

distinct_paths as (
    select
        list_distinct(path) as channels,
        is_converted,
        count(*) as count_journeys,
    from journeys
    group by all
),

channel_journeys as (
    select
        unnest(channels) as channel,
        is_converted,
        count_journeys,
    from distinct_paths
),

final as (
    select
        channel,
        cast(sum(count_journeys) as bigint) as count_journeys,
        cast(coalesce(sum(count_journeys) filter (where is_converted), 0) as bigint)
            as count_conversions,
    from channel_journeys
    group by channel
)

select * from final
order by channel
