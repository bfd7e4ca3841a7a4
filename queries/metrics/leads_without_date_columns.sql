-- What the data cannot tell: of the leads created in the period, within the shared filters,
-- how many come from an upload with no column for a date the pages measure, and how many
-- were answered at a time their export cannot tell. Their follow-up speed, MQL or SQL is
-- unknown, so the pages say so instead of counting them as misses; a
-- lifecycle stage (HubSpot) still tells cohorts whether a lead reached MQL or SQL.
-- Also the leads whose upload has an SQL column but that reached SQL with no SQL date: a
-- converted lead whose converted opportunity is not loaded (its SQL date is that
-- opportunity's creation), or one whose lifecycle stage is past SQL with the date blank (a
-- stage skipped). No period counts them among its SQLs; cohorts do. Likewise the leads whose
-- upload has an MQL column and whose lifecycle stage is past MQL with the MQL date blank.
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
        count(*) filter (where not has_contact_data and not is_contact_time_unknown)
            as count_without_contact_column,
        -- Answered (a response time), but the export cannot tell when.
        count(*) filter (where is_contact_time_unknown) as count_contact_time_unknown,
        count(*) filter (where not has_mql_data) as count_without_mql_column,
        count(*) filter (where not has_sql_data) as count_without_sql_column,
        -- Of those, the leads whose lifecycle stage still tells cohorts whether they got there.
        count(*) filter (where not has_mql_data and has_mql_outcome)
            as count_without_mql_column_with_stage,
        count(*) filter (where not has_sql_data and has_sql_outcome)
            as count_without_sql_column_with_stage,
        count(*) filter (where has_mql_data and has_reached_mql and mql_at is null)
            as count_reached_mql_without_date,
        count(*) filter (where has_sql_data and has_reached_sql and sql_at is null)
            as count_reached_sql_without_date,
    from funnel
)

select * from final
