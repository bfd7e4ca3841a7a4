-- Which exports are loaded at all. Without a leads export no lead, MQL, SQL or follow-up is
-- known; without a deals export no lead can be told to have reached an opportunity or a win,
-- and no revenue is known. The metrics then say so (null, "cannot be measured"), where 0
-- would hide it. Each stops at the first row it finds.
-- Grain: one row, has_leads and has_deals.
-- Parameters: none.
-- Defined by `python -m revcycle build` after funnel_revenue.

create or replace macro exports_loaded()
as table

with

final as (
    select
        exists (select 1 from funnel_revenue where has_lead) as has_leads,
        exists (select 1 from funnel_revenue where count_deals > 0) as has_deals,
)

select * from final
