-- Which exports are loaded at all. Without a leads export no lead, MQL, SQL or follow-up is
-- known; without a deals export no lead can be told to have reached an opportunity or a win,
-- and no revenue is known; with deals whose export has no stage, won or closed value
-- (has_deal_outcomes false), no deal can be told won, lost or open, so neither wins, won
-- revenue, win rate nor open pipeline is known. has_mql_data, has_sql_data, has_contact_data:
-- whether any loaded lead's upload records that date at all (funnel_revenue); without, no
-- week or period can count MQLs, SQLs or contacts, even one that created no lead. The metrics
-- then say so (null, "cannot be measured"), where 0 would hide it. Each stops at the first
-- row it finds.
-- Grain: one row, has_leads, has_deals, has_deal_outcomes, has_mql_data, has_sql_data and
-- has_contact_data.
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
        exists (select 1 from funnel_revenue where has_lead and has_mql_data) as has_mql_data,
        exists (select 1 from funnel_revenue where has_lead and has_sql_data) as has_sql_data,
        -- A lead answered at a time its export cannot tell came from a file with the column.
        exists (
            select 1 from funnel_revenue
            where has_lead and (has_contact_data or is_contact_time_unknown)
        ) as has_contact_data,
)

select * from final
