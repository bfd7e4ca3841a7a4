-- stg_spend stored as a table: each day's share of the spend per channel and campaign, counted
-- once however the uploads overlap (the rules are stg_spend's). The spend metrics read this
-- table, not the view, so a page does not spread a year of export rows and look campaigns up
-- among the leads and touches on every read. Rebuilt on every rebuild, a spend upload's
-- included (rebuild.ALWAYS_REBUILT_MARTS): it is the only mart that reads spend.
-- Grain: stg_spend's, one row per spend_date x channel x campaign x currency.
-- Parameters: none.

with

final as (
    select * from stg_spend
)

select * from final
