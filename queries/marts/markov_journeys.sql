-- The journeys the Markov chain learns from, converting or not, for one view of the data.
-- Grain: one row per journey: path (its channels in time order), is_converted.
-- Converting journeys are those of the deals attribution shares out (deal_journeys of the
-- basis, converted in the period: won, or for 'pipeline' created and open); the journeys that
-- did not convert are the whole paths (lead_journeys) of the leads created in the period that
-- have no deal of the basis at all, in any period: a lead that converted later is no journey
-- that ended without a conversion. Owner and segment narrow both, so the chain learns on the
-- scope it credits.
-- Parameters: the macro arguments credit_basis, start_date, end_date, owners, segments (bound by the
-- calling query; owners and segments are lists of values to keep, or null for all).
-- Defined by `python -m revcycle build` after deal_journeys and lead_journeys.

create or replace macro markov_journeys(credit_basis, start_date, end_date, owners, segments) as table

with

deal_touches as (
    select * from deal_journeys
    where basis = credit_basis
        and (owners is null or list_contains(owners, owner))
        and (segments is null or list_contains(segments, segment))
),

leads as (
    select * from lead_journeys
    where is_in_period(created_at, start_date, end_date)
        and (owners is null or list_contains(owners, owner))
        and (segments is null or list_contains(segments, segment))
),

converting as (
    select
        list(channel order by position) as path,
        true as is_converted,
    from deal_touches
    where is_in_period(converted_at, start_date, end_date)
    group by deal_id
),

not_converting as (
    select
        leads.path,
        false as is_converted,
    from leads
    anti join deal_touches
        on leads.lead_id = deal_touches.lead_id
),

final as (
    select * from converting
    union all
    select * from not_converting
)

select * from final
