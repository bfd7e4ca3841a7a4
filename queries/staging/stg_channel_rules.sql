-- Channel rules: which channel each raw lead-source value belongs to.
-- Grain: one row per source_key (the source_key macro in macros.sql: "Paid Search",
-- "PAID_SEARCH" and "paid-search" share one rule).
-- Parameters: none. Reads raw_channel_rules (loaded from data/channel_rules.csv).

with

source as (
    select * from raw_channel_rules
),

final as (
    select
        source_key(source) as source_key,
        trim(channel) as channel,
    from source
    where nullif(trim(source), '') is not null
)

select * from final
