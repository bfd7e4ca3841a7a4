-- Deals as the funnel reads them: won/closed derived from the stage when the export leaves
-- them blank (by its stage rule, else by its words), and unknown (null) for a deal with no
-- stage, won or closed value at all (a blank stage, or a file without a stage column merged
-- beside one with it): nobody can tell whether it is won, lost or open, so it counts as none
-- of them. A won deal is closed; emails are lower-cased for matching, currency codes
-- upper-cased; a date-only close on the creation day is read as closing that day
-- (deal_closed_at in macros.sql); the deal's own lead source is keyed for the channel rules
-- (source_key in macros.sql). A deal the CRM deleted (is_deleted_deal) is left out.
-- Grain: one row per deal_id (the importer guarantees deal_id is present and unique).
-- Parameters: none. Reads raw_deals, the loaded rows, which the importer has already typed,
-- trimmed and blanked (blank is null): no cast is left to do here; and raw_stage_rules.

with

source as (
    select
        *,
        stage is not null or is_won is not null or is_closed is not null as has_outcome,
    from raw_deals
),

-- Stage rules: what a stage of the analysts' own naming means ('won', 'lost' or 'open'), one
-- per stage_key ("Contract Signed" and "contract-signed" share one), as the upload page and
-- the `stage-rules` command save them. Grouped by the key all the same: a table written
-- another way must not repeat a deal.
stage_rules as (
    select
        stage_key(stage) as stage_key,
        any_value(outcome) as outcome,
    from raw_stage_rules
    group by all
),

final as (
    select
        deal_id,
        lead_id,
        lower(email) as email,
        created_at,
        stage,
        if(has_outcome, is_won_deal(stage, is_won, stage_rules.outcome), null) as is_won,
        if(
            has_outcome, is_closed_deal(stage, is_won, is_closed, stage_rules.outcome), null
        ) as is_closed,
        amount,
        upper(currency) as currency,
        deal_closed_at(closed_at, created_at) as closed_at,
        owner,
        source,
        source_key(source) as source_key,
    from source
    left join stage_rules
        on stage_key(source.stage) = stage_rules.stage_key
    where not coalesce(
        is_deleted_deal(source.stage, source.is_won, source.is_closed, stage_rules.outcome),
        false
    )
)

select * from final
