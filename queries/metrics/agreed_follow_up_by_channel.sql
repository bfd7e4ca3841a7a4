-- The agreed follow-up behind the figures: for the leads created in the period, which rule of
-- which agreement version each channel's leads are judged by (a period across an agreement
-- change has two rows for a channel), so a page can say "Paid search: call within 4 working
-- hours (agreement v2, from 1 Jun 2026)".
-- Grain: one row per channel and agreement version in force for its leads; version 0 is the
-- default while no agreement is saved. count_leads: the channel's leads judged by that version.
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all).

with

funnel as (
    select * from leads_created_in($start_date, $end_date, $channels, $owners, $segments)
),

versions as (
    select * from stg_agreement_versions
),

per_rule as (
    select
        channel,
        agreement_version,
        follow_up_kind,
        agreed_response_hours,
        response_basis,
        count(*) as count_leads,
    from funnel
    group by all
),

final as (
    select
        per_rule.channel,
        per_rule.agreement_version,
        versions.effective_from as agreement_effective_from,
        per_rule.follow_up_kind,
        per_rule.agreed_response_hours,
        per_rule.response_basis,
        per_rule.count_leads,
    from per_rule
    left join versions
        on per_rule.agreement_version = versions.version
)

select * from final
order by starts_with(channel, '('), channel, agreement_version
