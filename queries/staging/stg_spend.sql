-- Spend as the cost and return metrics read it: each day's share of every loaded spend row,
-- with its channel, counted once however the uploads overlap.
-- Grain: one row per spend_date x channel x campaign with spend (campaign null: none given).
-- Should the rows counted for one day, channel and campaign state two currencies, each has a
-- row of its own: amounts in two currencies are never added.
-- Parameters: none. Reads upload_rows_spend narrowed to the loaded uploads (as raw_spend is,
-- but keeping each row's upload), stg_channel_rules, and the campaigns of stg_leads and
-- raw_touches (raw_touches, not stg_touches: this view is created first, and only the touch's
-- own source and campaign are read).
-- Unlike most staging views this one joins, for the rules issue 14 fixes, so every metric
-- reads spend the same way:
-- * Spreading: a row over n days (date_from to date_to, both included; a blank date_to is
--   date_from) gives each day its amount / n in cents by largest remainder. The shares are
--   equal, so every remainder ties and the first (cents mod n) days take one cent more: the
--   days sum exactly to the row's amount.
-- * Channel: the source through the channel rules, as a lead's source; failing that, the
--   mapped channel most common among the leads and touches with the same campaign
--   (campaign_key: trimmed, any case; a tie goes to the first channel alphabetically);
--   failing both, "(unmapped)". Never null.
-- * Overlap: for each day, channel and campaign (campaign_key: "Brand" is "brand") only the
--   newest loaded upload covering it counts (its rows summed): re-exporting last month replaces it instead of adding to it.
--   Older rows stay stored, so restoring an earlier state brings them back; a replace leaves
--   only its own upload loaded.
-- Currency: upper-cased; null where the row stated none and REVCYCLE_CURRENCY was unset when
-- it loaded (the importer fills the setting in).

with

loaded as (
    select upload_id from loaded_uploads where kind = 'spend'
),

spend_rows as (
    select * from upload_rows_spend
    where upload_id in (select upload_id from loaded)
),

channel_rules as (
    select * from stg_channel_rules
),

leads as not materialized (
    select * from stg_leads
),

touches as not materialized (
    select * from raw_touches
),

ruled_rows as (
    select
        spend_rows.upload_id,
        spend_rows.date_from,
        coalesce(spend_rows.date_to, spend_rows.date_from) as date_to,
        spend_rows.campaign,
        campaign_key(spend_rows.campaign) as campaign_key,
        cast(round(spend_rows.amount * 100) as bigint) as amount_cents,
        upper(spend_rows.currency) as currency,
        channel_rules.channel as rule_channel,
    from spend_rows
    left join channel_rules
        on source_key(spend_rows.source) = channel_rules.source_key
),

-- Only the campaigns of rows no rule maps are looked up among leads and touches.
unmapped_campaigns as (
    select distinct campaign_key
    from ruled_rows
    where rule_channel is null
        and campaign_key is not null
),

campaign_sources as (
    select
        campaign_key(leads.campaign) as campaign_key,
        leads.source_key,
    from leads
    where campaign_key(leads.campaign) in (select campaign_key from unmapped_campaigns)
    union all
    select
        campaign_key(touches.campaign) as campaign_key,
        source_key(touches.source) as source_key,
    from touches
    where campaign_key(touches.campaign) in (select campaign_key from unmapped_campaigns)
),

campaign_channels as (
    select
        campaign_key,
        first(channel order by count_rows desc, channel) as channel,
    from (
        select
            campaign_sources.campaign_key,
            channel_rules.channel,
            count(*) as count_rows,
        from campaign_sources
        inner join channel_rules
            on campaign_sources.source_key = channel_rules.source_key
        group by all
    )
    group by campaign_key
),

channelled_rows as (
    select
        ruled_rows.*,
        coalesce(
            ruled_rows.rule_channel, campaign_channels.channel, '(unmapped)'
        ) as channel,
        datediff('day', ruled_rows.date_from, ruled_rows.date_to) + 1 as count_days,
    from ruled_rows
    left join campaign_channels
        on ruled_rows.campaign_key = campaign_channels.campaign_key
),

row_days as (
    select
        channelled_rows.*,
        unnest(range(channelled_rows.count_days)) as day_index,
    from channelled_rows
),

day_shares as (
    select
        upload_id,
        date_from + cast(day_index as integer) as spend_date,
        channel,
        campaign,
        campaign_key,
        currency,
        amount_cents // count_days
            + case when day_index < amount_cents % count_days then 1 else 0 end as share_cents,
    from row_days
),

newest_shares as (
    select
        *,
        max(upload_id) over (partition by spend_date, channel, campaign_key)
            as newest_upload_id,
    from day_shares
),

final as (
    select
        spend_date,
        channel,
        campaign,
        cast(sum(share_cents) * 0.01 as decimal(18, 2)) as amount,
        currency,
    from newest_shares
    where upload_id = newest_upload_id
    group by spend_date, channel, campaign, currency
)

select * from final
