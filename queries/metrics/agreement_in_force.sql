-- Agreement in force: the version of the agreement that holds on the period's last day, whose
-- definitions explain each metric, whose thresholds colour actual against target and whose
-- rejection reasons are the ones sales agreed to give, and how many working days sales has to
-- answer an MQL in.
-- The latest version effective on or before the day; before the first version, the first.
-- Grain: one row, or none while no agreement is saved.
-- Parameters: $end_date (date).

with

versions as (
    select * from agreement_versions
),

ranked as (
    select
        *,
        effective_from <= $end_date as is_effective,
    from versions
),

final as (
    select
        version,
        effective_from,
        mql_definition,
        sql_definition,
        won_definition,
        rejection_reasons,
        answer_within_working_days,
        green_from,
        amber_from,
    from ranked
    -- Effective dates never go back, so the highest effective number is the latest; with none
    -- effective yet, the first version.
    order by is_effective desc, case when is_effective then -version else version end
    limit 1
)

select * from final
