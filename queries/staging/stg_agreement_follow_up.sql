-- Follow-up rules as the mart reads them: per agreement version and channel, the kind of
-- follow-up and the agreed response time in working or calendar hours; channel null is the
-- version's default for channels not listed. While no version is saved, version 0's default:
-- a call within 24 calendar hours, the sidebar's old default (model.default_agreement).
-- Grain: one row per version and channel (null once per version).
-- Parameters: none. Reads agreement_follow_up and agreement_versions.

with

saved as (
    select * from agreement_follow_up
),

default_rule as (
    select
        0 as version,
        cast(null as varchar) as channel,
        'call' as follow_up_kind,
        24.0 as response_hours,
        'calendar' as basis,
    where not exists (select 1 from agreement_versions)
),

final as (
    select
        version,
        channel,
        follow_up_kind,
        -- Nurture has no response time, whatever a hand-edited row says.
        case when follow_up_kind <> 'nurture' then response_hours end as response_hours,
        basis,
    from saved
    union all
    select * from default_rule
)

select * from final
