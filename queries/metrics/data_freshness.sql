-- Data freshness: how far the loaded leads reach and when an export was last loaded, for the
-- banner on every page ("leads up to 20 Nov 2026, loaded 2 days ago"), and how many loaded
-- leads come from a file with no column for a date the pages measure (the banner then links
-- to the data coverage table), whether the loaded data is the bundled sample (every page
-- then says so), and whether any lead and any deal is loaded at all (without leads, no lead,
-- MQL, SQL or follow-up can be measured; without deals, no revenue), and whether any loaded
-- deal has a stage, won or closed value (without, no win, loss or open deal is known).
-- Grain: one row.
-- Parameters: none.

with

as_of as (
    select * from funnel_as_of
),

coverage as (
    select
        count(*) filter (
            where not (
                (has_contact_data or is_contact_time_unknown) and has_mql_data and has_sql_data
            )
        ) as count_leads_missing_a_date_column,
    from funnel_revenue
    where has_lead
),

-- When an export was last loaded (or a restore changed what is loaded), on the data's wall
-- clock as every upload is stamped: a rebuild for a rule or an agreement loads nothing.
loads as (
    select max(uploaded_at) as loaded_at from uploads
),

sample as (
    select
        count(*) > 0 and count(*) = count(sample_uploads.upload_id) as is_sample,
    from loaded_uploads
    left join sample_uploads
        on loaded_uploads.upload_id = sample_uploads.upload_id
),

final as (
    select
        cast(as_of.last_lead_created_at as date) as last_lead_date,
        loads.loaded_at,
        coverage.count_leads_missing_a_date_column,
        sample.is_sample,
        loaded.has_leads,
        loaded.has_deals,
        loaded.has_deal_outcomes,
    from as_of
    cross join loads
    cross join coverage
    cross join sample
    cross join exports_loaded() as loaded
)

select * from final
