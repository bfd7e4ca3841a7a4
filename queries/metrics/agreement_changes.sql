-- The dates on which a new agreement version took effect inside the period, for weekly charts
-- to mark: leads created from that date on are judged by it.
-- Grain: one row per saved version whose effective date falls in the period, after the
-- first (the first version applies from the start, also to leads before its date).
-- Parameters: $start_date, $end_date (dates, both included).

with

versions as (
    select * from stg_agreement_versions
),

final as (
    select
        version as agreement_version,
        effective_from as agreement_effective_from,
        'v' || version as label,
    from versions
    where effective_from between $start_date and $end_date
        and effective_from > (select min(effective_from) from versions)
)

select * from final
order by agreement_effective_from
