-- Whether any deal is loaded at all. Without a deals export no lead can be told to have
-- reached an opportunity or a win, and no revenue is known: the metrics then say so (null,
-- "cannot be measured"), where 0 would hide it. Stops at the first deal it finds.
-- Grain: one row, has_deals.
-- Parameters: none.
-- Defined by `python -m revcycle build` after funnel_revenue.

create or replace macro deals_loaded()
as table

with

final as (
    select exists (select 1 from funnel_revenue where count_deals > 0) as has_deals
)

select * from final
