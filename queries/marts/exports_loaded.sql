-- Which exports are loaded at all. Without a leads export no lead, MQL, SQL or follow-up is
-- known; without a deals export no lead can be told to have reached an opportunity or a win,
-- and no revenue is known; with deals whose export has no stage, won or closed value
-- (has_deal_outcomes false), no deal can be told won, lost or open, so neither wins, won
-- revenue, win rate nor open pipeline is known. The metrics then say so (null, "cannot be
-- measured"), where 0 would hide it. Each stops at the first row it finds.
-- Grain: one row, has_leads, has_deals and has_deal_outcomes.
-- Parameters: none.
-- Defined by `python -m revcycle build` after funnel_revenue.

create or replace macro exports_loaded()
as table

with

final as (
    select
        exists (select 1 from funnel_revenue where has_lead) as has_leads,
        exists (select 1 from funnel_revenue where count_deals > 0) as has_deals,
        exists (
            select 1 from raw_deals
            where stage is not null or is_won is not null or is_closed is not null
        ) as has_deal_outcomes,
)

select * from final
