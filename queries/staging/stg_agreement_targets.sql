-- Agreement targets: what each agreement version promises per month, channel and metric.
-- Grain: one row per version, month, channel (null: all channels together) and metric.
-- Parameters: none. Reads agreement_targets (revcycle.agreements.store); version 0 (none
-- saved) has no targets.

with

source as (
    select * from agreement_targets
),

final as (
    select
        version,
        month as target_month,
        channel,
        metric,
        target,
    from source
)

select * from final
