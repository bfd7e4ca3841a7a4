-- Agreement budgets: the marketing spend each agreement version agrees per month and channel,
-- with the date that version takes effect, so a reader can pick the budget in force on a day
-- (the latest version effective on or before it; before the first version, the first).
-- effective_from is the one column taken from agreement_versions: the shared interface of
-- issue 14 names it here, and a budget is never read without the version's date.
-- Grain: one row per version, month and channel.
-- Parameters: none. Reads agreement_budgets and agreement_versions
-- (revcycle.agreements.store); version 0 (none saved) has no budgets. currency null: the
-- data's currency (REVCYCLE_CURRENCY), as for deals.

with

budgets as (
    select * from agreement_budgets
),

versions as (
    select * from agreement_versions
),

final as (
    select
        budgets.version,
        versions.effective_from,
        budgets.month,
        budgets.channel,
        budgets.amount,
        budgets.currency,
    from budgets
    inner join versions
        on versions.version = budgets.version
)

select * from final
