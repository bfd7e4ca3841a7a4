-- The funnel-to-revenue view: every lead with its stage dates, follow-up speed and deals,
-- plus every deal that no lead explains, so revenue reconciles to the deals export.
-- Grain: one row per lead (has_lead) plus one row per deal that matches no lead
-- (has_lead false, lead_id null). A lead with several deals is still one row; its deals
-- are summed into the count_/revenue columns and kept, one struct each, in `deals`.
-- Linking: a deal belongs to the lead with its lead_id; failing that, to the lead that names
-- it as its converted deal (Salesforce); failing that, to the earliest lead with its email
-- (case-insensitive); failing all, it stands alone.
-- Channel: the lead's source through stg_channel_rules; blank is "(unknown)", a source with
-- no rule is "(unmapped)". A deal that matches no lead takes its own source (the deal's
-- `source`) through the same rules; only a deal with neither a lead nor a source is
-- "(no lead)". The mapping is a join, so it lives here rather than in staging.
-- Follow-up (issue 11): each lead is judged by the agreement version in force on its creation
-- date (agreement_version; before the first version's date, the first; 0 while none is saved,
-- the default: a call within 24 calendar hours), and that version's rule for its channel, else
-- the version's default: follow_up_kind, agreed_response_hours (null for nurture),
-- response_basis ('working' or 'calendar').
-- Durations: hours_to_first_contact is in the lead's basis: working hours on the version's
-- calendar (working_time_calendar) or real elapsed hours, both measured between real instants
-- (the loaded wall times are in the data's time zone), so a DST night counts as it was. It is
-- null when the contact is recorded before the lead was created (is_dated_before_creation):
-- a negative time is a data error, not a fast reply; and null when the contact is dated by its
-- day alone, on the lead's creation day or later, or the lead's upload dates every creation by
-- its day alone (stg_lead_uploads.has_creation_time false): an hour is unknown, no error.
-- earliest_hours_to_first_contact, latest_hours_to_first_contact: the bounds of that time, in
-- the same basis: both the time itself when its hour is known; for a contact dated by its day
-- alone, the earliest it can have been (the start of the day, or the creation on that day) and
-- the end of the day; for a creation dated by its day alone, from the end of that day (or the
-- contact, on it) and from its start; for a lead never contacted, from an upload that records
-- contacts, the least time it has waited by the data's latest event (funnel_as_of) and null,
-- no end yet. Null when contacted before created or when the contact time is unknown.
-- is_waiting_while_closed: for a lead never contacted and judged in working hours, whether
-- the latest event is outside working time (its clock stands still).
-- is_within_agreed_time: the bounds against the agreed time (is_within_hours, macros.sql):
-- contacted within it (when dated by the day alone, when even the most it can have taken is
-- within, late when even the least is past); false for a lead never contacted once its agreed
-- time has passed by the data's latest event; null when not judged: nurtured (no response
-- time, never a breach), contacted before created, not yet due, dated by the day alone and
-- either in time or late, from an upload with no first-contact column, or contacted at a time
-- the export cannot tell (is_contact_time_unknown: is_contacted with no first_contacted_at;
-- has_contact_data is false for such a lead).
-- has_contact_data, has_mql_data, has_sql_data: whether the lead's upload had a column for
-- that date (stg_lead_uploads, stg_merged_leads; for the SQL, Salesforce's Converted
-- counts); null on deal rows, which are not leads. SQL date: the export's, or for a converted lead (is_converted not
-- false) without one, its converted deal's creation.
-- has_reached_mql, has_reached_sql: the lead reached the stage, by its date or by what its
-- lifecycle stage or conversion says when the date is unknown. is_disqualified: the lead has
-- a disqualification reason or a status that says it was disqualified (whether or not it
-- reached SQL before); has_lead_status: it has a status or a reason at all. has_mql_outcome,
-- has_sql_outcome: its upload can tell whether it did (a date column, a conversion flag or a
-- lifecycle stage); cohort rates count only those leads, period rates only has_*_data ones.
-- Only what the metrics read is kept (contact details stay in stg_leads): at 1M leads,
-- writing the table is most of the build's time.
-- Parameters: none. Materialised as the table funnel_revenue by `python -m revcycle build`.

with

-- Not materialised: each use reads only the columns it needs from the staging tables.
leads as not materialized (
    select * from stg_leads
),

deals as not materialized (
    select * from stg_deals
),

channel_rules as (
    select * from stg_channel_rules
),

lead_uploads as (
    select * from stg_lead_uploads
),

merged_leads as (
    select * from stg_merged_leads
),

follow_up_rules as (
    select * from stg_agreement_follow_up
),

working_calendar as (
    select * from working_time_calendar
),

-- Per day and channel, the rule a lead created that day in that channel is judged by: the
-- version in force that day (working_time_calendar's is_in_force), and that version's rule
-- for the channel, else its default. Every channel a lead can have is here: those of the
-- channel rules, "(unknown)" and "(unmapped)". Small (days times channels), so each lead
-- finds its version and rule with one hash join.
known_channels as (
    select distinct channel from channel_rules
    union
    select unnest(['(unknown)', '(unmapped)'])
),

rules_by_day as (
    select
        working_calendar.calendar_date,
        known_channels.channel,
        working_calendar.version as agreement_version,
        working_calendar.time_zone as agreement_time_zone,
        coalesce(channel_rule.follow_up_kind, default_rule.follow_up_kind) as follow_up_kind,
        case
            when channel_rule.version is not null then channel_rule.response_hours
            else default_rule.response_hours
        end as agreed_response_hours,
        coalesce(channel_rule.basis, default_rule.basis) as response_basis,
    from working_calendar
    cross join known_channels
    left join follow_up_rules as channel_rule
        on working_calendar.version = channel_rule.version
        and known_channels.channel = channel_rule.channel
    left join follow_up_rules as default_rule
        on working_calendar.version = default_rule.version
        and default_rule.channel is null
    where working_calendar.is_in_force
),

data_zone as (
    select * from data_time_zone
),

-- Each local day of the data's zone with its offsets from UTC: a wall time's instant is a
-- subtraction (wall_second), not a call to the time-zone library per lead.
zone_days as (
    select * from data_zone_days
),

data_as_of as (
    select data_as_of_second as second from funnel_as_of
),

first_lead_by_email as (
    select
        leads.email,
        arg_min(leads.lead_id, leads.created_at) as lead_id,
    from leads
    -- Only emails that some deal carries can link anything.
    semi join deals
        on leads.email = deals.email
    group by leads.email
),

-- A lead's converted opportunity, matched by opportunity_key (macros.sql): Salesforce's
-- 15-character id in a report matches the 18-character one of a data export. Grouped by the
-- key, so a key two deals share can never repeat a lead.
converted_deals as (
    select
        opportunity_key(deal_id) as deal_key,
        min(created_at) as created_at,
    from deals
    group by deal_key
),

lead_by_converted_deal as (
    select
        opportunity_key(converted_deal_id) as deal_key,
        arg_min(lead_id, created_at) as lead_id,
    from leads
    where converted_deal_id is not null
    group by deal_key
),

deals_linked as (
    select
        deals.*,
        coalesce(
            leads_by_id.lead_id,
            lead_by_converted_deal.lead_id,
            first_lead_by_email.lead_id
        ) as linked_lead_id,
    from deals
    left join (select lead_id from leads) as leads_by_id
        on deals.lead_id = leads_by_id.lead_id
    left join lead_by_converted_deal
        on opportunity_key(deals.deal_id) = lead_by_converted_deal.deal_key
    left join first_lead_by_email
        on leads_by_id.lead_id is null
        and lead_by_converted_deal.lead_id is null
        and deals.email = first_lead_by_email.email
),

deals_per_lead as (
    select
        linked_lead_id as lead_id,
        count(*) as count_deals,
        count(*) filter (where is_won) as count_won_deals,
        coalesce(sum(amount) filter (where is_won), 0) as won_revenue,
        coalesce(sum(amount) filter (where not is_closed), 0) as open_pipeline,
        min(created_at) as first_deal_created_at,
        min(closed_at) filter (where is_won) as first_won_at,
        -- Sorting the finished list is cheaper than an ordered aggregate; structs sort by
        -- their first field, created_at, then deal_id.
        list_sort(
            list(struct_pack(created_at, deal_id, closed_at, is_won, is_closed, amount))
        ) as deals,
    from deals_linked
    where linked_lead_id is not null
    group by linked_lead_id
),

lead_rows as (
    select
        leads.lead_id,
        true as has_lead,
        lead_channel(leads.source, channel_rules.channel) as channel,
        leads.campaign,
        coalesce(leads.owner, '(unassigned)') as owner,
        coalesce(leads.segment, '(unknown)') as segment,
        leads.created_at,
        leads.mql_at,
        coalesce(
            leads.sql_at,
            case when leads.is_converted is distinct from false then converted_deals.created_at end
        ) as sql_at,
        leads.mql_at is not null or coalesce(leads.lifecycle_stage_order >= 2, false)
            as has_reached_mql,
        leads.sql_at is not null
            or coalesce(leads.lifecycle_stage_order >= 3, false)
            or coalesce(leads.is_converted, false)
            or (leads.is_converted is null and converted_deals.created_at is not null)
            as has_reached_sql,
        -- What sales answered an MQL with, for lead quality: disqualified by a reason, or by a
        -- status saying so (Salesforce's "Disqualified" or "Closed - Not Converted", HubSpot's
        -- "Unqualified"); has_lead_status: the lead has a status or a reason at all.
        leads.disqualified_reason,
        leads.disqualified_reason is not null
            or coalesce(
                source_key(leads.status) in ('disqualified', 'unqualified', 'closed_not_converted'),
                false
            ) as is_disqualified,
        leads.status is not null or leads.disqualified_reason is not null as has_lead_status,
        leads.first_contacted_at,
        -- A first contact dated by its day alone (its midnight), on the day the lead came in
        -- or later: the hour is unknown, so no hours are measured. It is judged in time when
        -- even the end of that day is, late when even its start (or the lead's creation, on
        -- that day) is past the agreed time, and not judged between.
        coalesce(
            is_date_only(leads.first_contacted_at)
                and cast(leads.first_contacted_at as date) >= cast(leads.created_at as date),
            false
        ) as is_contact_hour_unknown,
        is_dated_before_creation(leads.first_contacted_at, leads.created_at)
            as is_contacted_before_created,
        -- An upload of creation dates alone (stg_lead_uploads.has_creation_time): the lead came
        -- in at some moment of that day, created_at (its start) at the earliest and created_by
        -- (its end) at the latest, so no hours are measured and its bounds span the day.
        not coalesce(lead_uploads.has_creation_time, true) as is_creation_hour_unknown,
        if(is_creation_hour_unknown, leads.created_at + interval 1 day, leads.created_at)
            as created_by,
        -- The latest the contact can have been: the end of its day when the hour is unknown.
        if(
            is_contact_hour_unknown,
            leads.first_contacted_at + interval 1 day,
            leads.first_contacted_at
        ) as contacted_by,
        deals_per_lead.first_deal_created_at,
        deals_per_lead.first_won_at,
        coalesce(deals_per_lead.count_deals, 0) as count_deals,
        coalesce(deals_per_lead.count_won_deals, 0) as count_won_deals,
        coalesce(deals_per_lead.won_revenue, 0) as won_revenue,
        coalesce(deals_per_lead.open_pipeline, 0) as open_pipeline,
        deals_per_lead.deals,
        -- Whether the lead's upload recorded each date at all: a lead from a file with no
        -- first-contact column was not "never contacted", its follow-up is unknown.
        leads.upload_id,
        -- A lead the export says was contacted, but not when (HubSpot's response time with
        -- no assignment date), has no contact data of its own: never judged, never counted
        -- as never contacted.
        coalesce(leads.is_contacted and leads.first_contacted_at is null, false)
            as is_contact_time_unknown,
        coalesce(merged_leads.has_contact_data, lead_uploads.has_contact_data)
            and not is_contact_time_unknown as has_contact_data,
        coalesce(merged_leads.has_mql_data, lead_uploads.has_mql_data) as has_mql_data,
        coalesce(merged_leads.has_sql_data, lead_uploads.has_sql_data) as has_sql_data,
        coalesce(merged_leads.has_mql_data, lead_uploads.has_mql_data)
            or coalesce(merged_leads.has_lifecycle_data, lead_uploads.has_lifecycle_data)
            as has_mql_outcome,
        coalesce(merged_leads.has_sql_data, lead_uploads.has_sql_data)
            or coalesce(merged_leads.has_lifecycle_data, lead_uploads.has_lifecycle_data)
            as has_sql_outcome,
    from leads
    left join channel_rules
        on leads.source_key = channel_rules.source_key
    left join converted_deals
        on opportunity_key(leads.converted_deal_id) = converted_deals.deal_key
    left join deals_per_lead
        on leads.lead_id = deals_per_lead.lead_id
    -- The upload's record, or for a lead later uploads have too, all of its uploads': two
    -- small lookups, where one row per lead was joined before (0.25 s at 1M leads).
    left join lead_uploads
        on leads.upload_id = lead_uploads.upload_id
    left join merged_leads
        on leads.lead_id = merged_leads.lead_id
),

-- The follow-up each lead is judged by (rules_by_day), and its hours to first contact on the
-- version's calendar. Every lookup is a hash join on a small table, which streams the lead
-- rows through (a sorting join would carry every lead's deals along); the helper columns are
-- dropped at the end (judged_lead_rows).
lead_rules as (
    select
        lead_rows.*,
        rules_by_day.agreement_version,
        rules_by_day.agreement_time_zone,
        rules_by_day.follow_up_kind,
        rules_by_day.agreed_response_hours,
        rules_by_day.response_basis,
        -- Real instants (seconds since 1970 UTC): the loaded wall times are in the data's zone.
        wall_second(
            lead_rows.created_at,
            data_zone.time_zone,
            created_zone_day.offset_us_at_start,
            created_zone_day.offset_us_at_end
        ) as created_second,
        wall_second(
            lead_rows.contacted_by,
            data_zone.time_zone,
            contacted_zone_day.offset_us_at_start,
            contacted_zone_day.offset_us_at_end
        ) as contacted_second,
        -- The earliest it can have been: the start of its day, or the creation on that day.
        if(
            lead_rows.is_contact_hour_unknown,
            epoch(
                timezone(
                    data_zone.time_zone,
                    greatest(lead_rows.first_contacted_at, lead_rows.created_at)
                )
            ),
            null
        ) as contacted_from_second,
        if(
            lead_rows.is_creation_hour_unknown,
            epoch(timezone(data_zone.time_zone, lead_rows.created_by)),
            null
        ) as created_by_second,
        rules_by_day.agreement_time_zone = data_zone.time_zone as is_in_data_zone,
    from lead_rows
    cross join data_zone
    left join rules_by_day
        on cast(lead_rows.created_at as date) = rules_by_day.calendar_date
        and lead_rows.channel = rules_by_day.channel
    left join zone_days as created_zone_day
        on cast(lead_rows.created_at as date) = created_zone_day.local_date
    left join zone_days as contacted_zone_day
        on cast(lead_rows.contacted_by as date) = contacted_zone_day.local_date
),

-- The local days of creation and first contact in the agreement's zone, for the leads whose
-- rule counts working hours (null otherwise: a calendar-hour lead looks nothing up). In the
-- data's own zone, the usual case, the loaded wall times already are local.
lead_days as (
    select
        lead_rules.*,
        case
            when lead_rules.response_basis <> 'working' then null
            when lead_rules.is_in_data_zone then cast(lead_rules.created_at as date)
            else cast(timezone(lead_rules.agreement_time_zone, to_timestamp(created_second)) as date)
        end as created_local_date,
        case
            when lead_rules.response_basis <> 'working' then null
            when lead_rules.is_in_data_zone then cast(lead_rules.contacted_by as date)
            else cast(
                timezone(lead_rules.agreement_time_zone, to_timestamp(contacted_second)) as date
            )
        end as contacted_local_date,
        case
            when lead_rules.response_basis <> 'working' or contacted_from_second is null
                then null
            else cast(
                timezone(lead_rules.agreement_time_zone, to_timestamp(contacted_from_second))
                    as date
            )
        end as contacted_from_local_date,
        case
            when lead_rules.response_basis <> 'working' or created_by_second is null then null
            when lead_rules.is_in_data_zone then cast(lead_rules.created_by as date)
            else cast(
                timezone(lead_rules.agreement_time_zone, to_timestamp(created_by_second)) as date
            )
        end as created_by_local_date,
    from lead_rules
),

lead_working_seconds as (
    select
        lead_days.*,
        working_seconds_at(
            created_day.working_seconds_before,
            created_day.first_starts_second,
            created_day.first_working_seconds,
            created_day.later_spans,
            lead_days.created_second
        ) as created_working_second,
        working_seconds_at(
            contacted_day.working_seconds_before,
            contacted_day.first_starts_second,
            contacted_day.first_working_seconds,
            contacted_day.later_spans,
            lead_days.contacted_second
        ) as contacted_working_second,
        -- In the rule's basis (seconds): the creation, the latest it can have been, the
        -- contact (the end of its day when its hour is unknown) and the earliest it can have
        -- been (the start of that day, or the creation on it).
        if(
            lead_days.response_basis = 'working',
            created_working_second,
            lead_days.created_second
        ) as created_basis_second,
        case
            when lead_days.created_by_second is null then created_basis_second
            when lead_days.response_basis = 'working'
                then working_seconds_at(
                    created_by_day.working_seconds_before,
                    created_by_day.first_starts_second,
                    created_by_day.first_working_seconds,
                    created_by_day.later_spans,
                    lead_days.created_by_second
                )
            else lead_days.created_by_second
        end as created_by_basis_second,
        if(
            lead_days.response_basis = 'working',
            contacted_working_second,
            lead_days.contacted_second
        ) as contacted_basis_second,
        case
            when lead_days.contacted_from_second is null then contacted_basis_second
            when lead_days.response_basis = 'working'
                then working_seconds_at(
                    contacted_from_day.working_seconds_before,
                    contacted_from_day.first_starts_second,
                    contacted_from_day.first_working_seconds,
                    contacted_from_day.later_spans,
                    lead_days.contacted_from_second
                )
            else lead_days.contacted_from_second
        end as contacted_from_basis_second,
        -- The longest and the shortest the first contact can have taken, in hours.
        (contacted_basis_second - created_basis_second) / 3600 as hours_to_contact_by,
        (
            contacted_from_basis_second
                - least(created_by_basis_second, contacted_from_basis_second)
        ) / 3600 as hours_to_contact_from,
    from lead_days
    left join working_calendar as created_day
        on lead_days.agreement_version = created_day.version
        and lead_days.created_local_date = created_day.calendar_date
    left join working_calendar as contacted_day
        on lead_days.agreement_version = contacted_day.version
        and lead_days.contacted_local_date = contacted_day.calendar_date
    left join working_calendar as contacted_from_day
        on lead_days.agreement_version = contacted_from_day.version
        and lead_days.contacted_from_local_date = contacted_from_day.calendar_date
    left join working_calendar as created_by_day
        on lead_days.agreement_version = created_by_day.version
        and lead_days.created_by_local_date = created_by_day.calendar_date
),

-- Per version, the data's latest event (funnel_as_of) in working seconds, and whether it
-- falls inside a span of working time.
as_of_by_version as (
    select
        working_calendar.version,
        data_as_of.second as as_of_second,
        working_seconds_at(
            working_calendar.working_seconds_before,
            working_calendar.first_starts_second,
            working_calendar.first_working_seconds,
            working_calendar.later_spans,
            data_as_of.second
        ) as as_of_working_second,
        list_bool_or(
            list_transform(
                list_prepend(
                    struct_pack(
                        starts_second := working_calendar.first_starts_second,
                        working_seconds := working_calendar.first_working_seconds
                    ),
                    coalesce(working_calendar.later_spans, [])
                ),
                lambda span: span.starts_second < data_as_of.second
                    and data_as_of.second <= span.starts_second + span.working_seconds
            )
        ) is true as is_as_of_in_working_time,
    from working_calendar
    cross join data_as_of
    where working_calendar.calendar_date
        = cast(timezone(working_calendar.time_zone, to_timestamp(data_as_of.second)) as date)
),

judged_lead_rows as (
    select
        lead_working_seconds.* exclude (
            agreement_time_zone,
            created_second,
            contacted_second,
            is_in_data_zone,
            created_local_date,
            contacted_local_date,
            contacted_from_local_date,
            contacted_from_second,
            hours_to_contact_from,
            created_working_second,
            contacted_working_second,
            is_contact_hour_unknown,
            contacted_by,
            hours_to_contact_by,
            is_creation_hour_unknown,
            created_by,
            created_by_second,
            created_by_local_date,
            created_basis_second,
            created_by_basis_second,
            contacted_basis_second,
            contacted_from_basis_second,
        ),
        case
            when lead_working_seconds.is_contacted_before_created then null
            when lead_working_seconds.is_contact_hour_unknown then null
            when lead_working_seconds.is_creation_hour_unknown then null
            else lead_working_seconds.hours_to_contact_by
        end as hours_to_first_contact,
        -- The bounds of the time to first contact, which judge the lead (is_within_hours in
        -- macros.sql): the time itself when both moments are known; for a contact or a
        -- creation dated by its day alone, from the least to the most it can have taken; for
        -- a lead never contacted, from the least time it has waited by the data's latest
        -- event (counted from the end of its creation day when only the day is known), with
        -- no end.
        case
            when lead_working_seconds.is_contacted_before_created then null
            when lead_working_seconds.first_contacted_at is not null
                then lead_working_seconds.hours_to_contact_from
            when not coalesce(lead_working_seconds.has_contact_data, false) then null
            else (
                if(
                    lead_working_seconds.response_basis = 'working',
                    as_of_by_version.as_of_working_second,
                    as_of_by_version.as_of_second
                ) - least(
                    lead_working_seconds.created_by_basis_second,
                    if(
                        lead_working_seconds.response_basis = 'working',
                        as_of_by_version.as_of_working_second,
                        as_of_by_version.as_of_second
                    )
                )
            ) / 3600
        end as earliest_hours_to_first_contact,
        case
            when lead_working_seconds.is_contacted_before_created then null
            when lead_working_seconds.first_contacted_at is not null
                then lead_working_seconds.hours_to_contact_by
        end as latest_hours_to_first_contact,
        -- A lead still waiting in working hours while the data's latest event is outside
        -- working time: its clock stands still, so a wait that has reached a response time
        -- ran out at the end of an earlier span.
        if(
            earliest_hours_to_first_contact is not null
                and latest_hours_to_first_contact is null
                and lead_working_seconds.response_basis = 'working',
            not as_of_by_version.is_as_of_in_working_time,
            null
        ) as is_waiting_while_closed,
        if(
            lead_working_seconds.follow_up_kind = 'nurture',
            null,
            is_within_hours(
                earliest_hours_to_first_contact,
                latest_hours_to_first_contact,
                is_waiting_while_closed,
                lead_working_seconds.agreed_response_hours
            )
        ) as is_within_agreed_time,
    from lead_working_seconds
    left join as_of_by_version
        on lead_working_seconds.agreement_version = as_of_by_version.version
),

unmatched_deal_rows as (
    select
        cast(null as varchar) as lead_id,
        false as has_lead,
        case
            when deals_linked.source is null then '(no lead)'
            else coalesce(channel_rules.channel, '(unmapped)')
        end as channel,
        cast(null as varchar) as campaign,
        coalesce(deals_linked.owner, '(unassigned)') as owner,
        '(unknown)' as segment,
        cast(null as timestamp) as created_at,
        cast(null as timestamp) as mql_at,
        cast(null as timestamp) as sql_at,
        false as has_reached_mql,
        false as has_reached_sql,
        cast(null as varchar) as disqualified_reason,
        false as is_disqualified,
        false as has_lead_status,
        cast(null as timestamp) as first_contacted_at,
        cast(null as integer) as agreement_version,
        cast(null as varchar) as follow_up_kind,
        cast(null as double) as agreed_response_hours,
        cast(null as varchar) as response_basis,
        cast(null as double) as hours_to_first_contact,
        cast(null as double) as earliest_hours_to_first_contact,
        cast(null as double) as latest_hours_to_first_contact,
        cast(null as boolean) as is_waiting_while_closed,
        cast(null as boolean) as is_within_agreed_time,
        false as is_contacted_before_created,
        deals_linked.created_at as first_deal_created_at,
        case when deals_linked.is_won then deals_linked.closed_at end as first_won_at,
        1 as count_deals,
        case when deals_linked.is_won then 1 else 0 end as count_won_deals,
        case
            when deals_linked.is_won then coalesce(deals_linked.amount, 0) else 0
        end as won_revenue,
        case
            when not deals_linked.is_closed then coalesce(deals_linked.amount, 0) else 0
        end as open_pipeline,
        [
            struct_pack(
                deals_linked.created_at,
                deals_linked.deal_id,
                deals_linked.closed_at,
                deals_linked.is_won,
                deals_linked.is_closed,
                deals_linked.amount
            )
        ] as deals,
    from deals_linked
    left join channel_rules
        on deals_linked.source_key = channel_rules.source_key
    where deals_linked.linked_lead_id is null
),

unioned as (
    select * from judged_lead_rows
    union all by name
    select * from unmatched_deal_rows
),

final as (
    select
        *,
        case
            when count_won_deals > 0 then 'won'
            when count_deals > 0 then 'opportunity'
            when has_reached_sql then 'sql'
            when has_reached_mql then 'mql'
            else 'lead'
        end as stage_reached,
    from unioned
)

select * from final
-- Not sorted: the rows keep the loaded leads' order, usually the export's order of creation,
-- so a period skips the row groups of other months. Sorted by channel (until 2026-12-04), a
-- one-channel filter skipped more, but funnel_events and funnel_deals now serve the period
-- counts. At 10M leads, This week's queries took 0.61-0.82 s unsorted against 0.78-0.99 s
-- sorted with no filter (the view everyone opens first), 0.49-0.52 s against 0.30-0.32 s with
-- one channel chosen; the build saves the sort: 20.7 s against 27.0 s (1.7 s against 2.0 s at
-- 1M).
