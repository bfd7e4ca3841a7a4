-- What the data cannot tell: of the leads created in the period, within the shared filters,
-- how many come from an upload with no column for a date the pages measure. Their follow-up
-- speed, MQL or SQL is unknown, so the pages say so instead of counting them as misses; a
-- lifecycle stage (HubSpot) still tells cohorts whether a lead reached MQL or SQL.
-- Grain: one row.
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all).

with

funnel as (
    select * from leads_created_in($start_date, $end_date, $channels, $owners, $segments)
),

final as (
    select
        count(*) as count_leads,
        count(*) filter (where not has_contact_data) as count_without_contact_column,
        count(*) filter (where not has_mql_data) as count_without_mql_column,
        count(*) filter (where not has_sql_data) as count_without_sql_column,
        -- Of those, the leads whose lifecycle stage still tells cohorts whether they got there.
        count(*) filter (where not has_mql_data and has_mql_outcome)
            as count_without_mql_column_with_stage,
        count(*) filter (where not has_sql_data and has_sql_outcome)
            as count_without_sql_column_with_stage,
    from funnel
)

select * from final
