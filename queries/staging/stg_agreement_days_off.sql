-- Days off per agreement version: the public holidays of its country (and subdivision) for
-- the years the data spans, and its company closing days. Version 0 (none saved) has none.
-- Grain: one row per version, day and reason (a closing day may also be a holiday).
-- Parameters: none. Reads agreement_days_off, written at every rebuild by
-- revcycle.agreements.calendar.

with

source as (
    select * from agreement_days_off
),

final as (
    select
        version,
        day as day_off_date,
        reason,
    from source
)

select * from final
