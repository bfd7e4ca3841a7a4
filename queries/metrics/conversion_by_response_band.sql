-- Does speed pay? Leads created in the period, grouped by how fast sales first contacted them,
-- and the share of each group that sales accepted (SQL) and that became a customer (won).
-- Grain: one row per response band: under 1 h, 1–4 h, 4–24 h, 1–3 days, later, never. Hours
-- are in each lead's agreed basis (working hours of the agreement's calendar, or calendar).
-- Stages count whenever they happened, up to the data's latest event, so recent leads pull
-- every band down alike. A lead whose contact is dated before its creation has no response
-- time, and a lead whose upload has no first-contact column has an unknown one: neither is
-- in a band (follow_up_speed counts them). A contact dated by its day alone is in the band
-- its whole day falls in (funnel_revenue's earliest_ and latest_hours_to_first_contact), and in
-- none when the day spans two: its hour, unknown, would decide. The share that became SQL is over the band's leads
-- whose upload records SQLs, and unknown (null) when none does; the share won is unknown when no
-- loaded deal has a stage, won or closed value (no deals export at all, or one without those
-- columns): never 0 for what cannot be measured.
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all).

with

funnel as (
    select * from leads_created_in($start_date, $end_date, $channels, $owners, $segments)
),

-- Each lead's band by the earliest and the latest its first contact can have been: the same
-- band, but for a contact dated by its day alone. Edges at 1, 4, 24 and 72 hours.
bounds as (
    select
        first_contacted_at,
        len(list_filter([1, 4, 24, 72], lambda edge: earliest_hours_to_first_contact >= edge))
            + 1 as earliest_band,
        len(list_filter([1, 4, 24, 72], lambda edge: latest_hours_to_first_contact >= edge))
            + 1 as latest_band,
        sql_at is not null as is_sql,
        has_sql_outcome,
        count_won_deals > 0 as is_won,
    from funnel
    where has_contact_data and not is_contacted_before_created
),

banded as (
    select
        case
            when first_contacted_at is null then 6
            when earliest_band = latest_band then earliest_band
        end as band_order,
        is_sql,
        has_sql_outcome,
        is_won,
    from bounds
),

per_band as (
    select
        band_order,
        count(*) as count_leads,
        count(*) filter (where is_sql) as count_sql,
        count(*) filter (where has_sql_outcome) as count_sql_known,
        count(*) filter (where is_won) as count_won,
    from banded
    where band_order is not null
    group by band_order
),

final as (
    select
        band_order,
        ['under 1 h', '1–4 h', '4–24 h', '1–3 days', 'later', 'never'][band_order]
            as response_band,
        count_leads,
        count_sql,
        count_sql / nullif(count_sql_known, 0) as share_sql,
        count_won,
        if((select has_deal_outcomes from exports_loaded()), count_won / count_leads, null)
            as share_won,
    from per_band
)

select * from final
order by band_order
