-- Touches as the journeys read them: each loaded touch with the lead it belongs to and its
-- channel.
-- Grain: one row per touch_id (the importer guarantees touch_id is present and unique: the
-- export's own id, or one derived from the touch's lead or email, time, source and campaign).
-- Parameters: none. Reads raw_touches (the loaded rows, typed and trimmed by the importer),
-- stg_leads and stg_channel_rules.
-- Unlike the other staging views this one joins: the attribution interface (issue 13) fixes
-- stg_touches as the resolved touch, so every reader links touches to leads and channels the
-- same way. Lead: the touch's lead_id when a loaded lead has it; failing that, the earliest
-- lead with its email (case-insensitive, as deals link); failing both, null (the importer
-- warned about those rows, and no journey counts them). Channel: the touch's source through
-- the channel rules by the lead_channel macro, exactly as a lead's source.

with

touches as (
    select * from raw_touches
),

leads as not materialized (
    select * from stg_leads
),

channel_rules as (
    select * from stg_channel_rules
),

first_lead_by_email as (
    select
        leads.email,
        arg_min(leads.lead_id, leads.created_at) as lead_id,
    from leads
    -- Only emails some touch carries can link anything.
    semi join touches
        on leads.email = lower(touches.email)
    group by leads.email
),

-- A few dozen sources for millions of touches: each is keyed and ruled once.
source_channels as (
    select
        sources.source,
        channel_rules.channel as rule_channel,
    from (select distinct source from touches where source is not null) as sources
    left join channel_rules
        on source_key(sources.source) = channel_rules.source_key
),

final as (
    select
        touches.touch_id,
        -- The id's lead first; the email's only when the id names no loaded lead. (Both
        -- joins are plain equalities: a condition on the first join's result would make
        -- the second a slower join, twice as slow at a million touches.)
        coalesce(leads_by_id.lead_id, first_lead_by_email.lead_id) as lead_id,
        touches.touched_at,
        touches.source,
        lead_channel(touches.source, source_channels.rule_channel) as channel,
        touches.campaign,
        touches.touch_type,
    from touches
    left join (select lead_id from leads) as leads_by_id
        on touches.lead_id = leads_by_id.lead_id
    left join first_lead_by_email
        on lower(touches.email) = first_lead_by_email.email
    left join source_channels
        on touches.source = source_channels.source
)

select * from final
