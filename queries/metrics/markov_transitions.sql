-- The Markov chain's transition counts: how often journeys stepped from one state to the next.
-- Grain: one row per (from_state, to_state) with count_transitions. States are the channels,
-- '(start)' before each journey's first touch, and '(conversion)' or '(null)' after its last
-- (the names revcycle/attribution/markov.py gives them).
-- Journeys: markov_journeys (converting and not, in the period and scope). Paths are counted
-- first, so each distinct path's steps are laid out once.
-- Parameters: $basis ('revenue' or 'pipeline'); $start_date, $end_date (dates, both included);
-- $owners, $segments (lists of values to keep, or null for all).

with

journeys as (
    select * from markov_journeys($basis, $start_date, $end_date, $owners, $segments)
),

distinct_paths as (
    select
        list_concat(
            ['(start)'],
            path,
            [case when is_converted then '(conversion)' else '(null)' end]
        ) as states,
        count(*) as count_journeys,
    from journeys
    group by all
),

steps as (
    select
        states,
        count_journeys,
        unnest(range(1, len(states))) as step,
    from distinct_paths
),

transitions as (
    select
        states[step] as from_state,
        states[step + 1] as to_state,
        sum(count_journeys) as count_transitions,
    from steps
    group by all
),

final as (
    select
        from_state,
        to_state,
        cast(count_transitions as bigint) as count_transitions,
    from transitions
)

select * from final
