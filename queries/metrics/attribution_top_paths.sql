-- The typical journeys behind each channel's credit: per channel, the most common paths of
-- the deals whose journey touches it, with how many deals took each and what they were worth.
-- Grain: one row per channel and path, at most 10 paths per channel (the most deals first,
-- then the most money, then the path's text), path_rank 1 to 10.
-- Deals are those attribution shares out (attribution_journeys): won in the period, or for
-- $basis 'pipeline' created in it and open. A path lists its channels in time order, joined by
-- " → ", a run of touches in one channel once with its count ("Email ×3"): a journey of many
-- touches read as a wall of repeated names. count_touches counts every touch.
-- Parameters: $basis ('revenue' or 'pipeline'); $start_date, $end_date (dates, both included);
-- $owners, $segments (lists of values to keep, or null for all).

with

journeys as (
    select * from deal_journeys
    where basis = $basis
        and is_in_period(converted_at, $start_date, $end_date)
        and ($owners is null or list_contains($owners, owner))
        and ($segments is null or list_contains($segments, segment))
),

deal_touches as (
    select
        deal_id,
        any_value(amount_cents) as amount_cents,
        list(channel order by position) as touches,
    from journeys
    group by deal_id
),

deal_runs as (
    -- Where each run of touches in one channel begins: the first touch, and every touch whose
    -- channel differs from the one before.
    select
        *,
        list_filter(
            range(1, len(touches) + 1), lambda i: i = 1 or touches[i] != touches[i - 1]
        ) as run_starts,
    from deal_touches
),

deal_paths as (
    select
        deal_id,
        amount_cents,
        len(touches) as count_touches,
        list_transform(run_starts, lambda i: touches[i]) as channels,
        list_transform(
            range(1, len(run_starts) + 1),
            lambda k: coalesce(run_starts[k + 1], len(touches) + 1) - run_starts[k]
        ) as counts,
    from deal_runs
),

path_counts as (
    select
        array_to_string(
            list_transform(
                range(1, len(channels) + 1),
                lambda k: channels[k] || if(counts[k] > 1, ' ×' || counts[k], '')
            ),
            ' → '
        ) as path,
        list_distinct(channels) as distinct_channels,
        count(*) as count_deals,
        cast(sum(amount_cents) as bigint) as amount_cents,
        any_value(count_touches) as count_touches,
    from deal_paths
    group by channels, counts
),

per_channel as (
    select
        unnest(distinct_channels) as channel,
        path,
        count_touches,
        count_deals,
        amount_cents,
    from path_counts
),

final as (
    select
        channel,
        row_number() over (
            partition by channel order by count_deals desc, amount_cents desc, path
        ) as path_rank,
        path,
        count_touches,
        count_deals,
        amount_cents,
    from per_channel
    qualify path_rank <= 10
)

select * from final
order by channel, path_rank
