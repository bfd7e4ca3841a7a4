-- Agreement versions as the working-time SQL reads them: each saved version's number, the date
-- from which it is in force, the time zone of its working hours and the working days sales has
-- to answer an MQL in. While no version is saved, one row for version 0, the default
-- (revcycle.agreements.model.default_agreement: 2 working days), in the data's own time zone.
-- Grain: one row per version.
-- Parameters: none. Reads agreement_versions (revcycle.agreements.store) and data_time_zone
-- (one row, written at rebuild by revcycle.agreements.calendar).

with

saved as (
    select * from agreement_versions
),

data_zone as (
    select * from data_time_zone
),

default_version as (
    select
        0 as version,
        date '1970-01-01' as effective_from,
        data_zone.time_zone,
        2 as answer_within_working_days,
    from data_zone
    where not exists (select 1 from saved)
),

final as (
    select
        version,
        effective_from,
        time_zone,
        answer_within_working_days,
    from saved
    union all
    select * from default_version
)

select * from final
