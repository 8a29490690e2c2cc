"""Sentences for subjects, descriptions, next steps, tasks, notifications and notes.

Activity templates are (subject, description) pairs formatted positionally (`template.format(*args)`),
fast in the hot loop:
{0} product category, {1} contact first name, {2} contact title, {3} product name, {4} an order number.
"""

from __future__ import annotations

ACTIVITY_TEMPLATES = {
    "call": (
        ("Intro call with {2}", "Walked {1} through our {0} pricing tiers and delivery days. They get three drops a week today."),
        ("Follow-up call re: {0} pricing", "{1} confirmed weekly volumes for {0} and wants pricing locked for 90 days."),
        ("Call with {1} about the delivery schedule", "Agreed on Tuesday and Friday drops before 7 am; receiving closes at 10."),
        ("Check-in call: {0} order volumes", "Talked through next season's menu changes; {0} needs should go up about 15%."),
        ("Call to review the order guide with {1}", "Reviewed last month's invoices with {1}. Main pain points: substitutions and late trucks."),
        ("Discussed {3} pricing with {1}", "Left a voicemail, reached {1} in the afternoon. Interested in samples of {3}."),
    ),
    "email": (
        ("Sent updated {0} price sheet", "Emailed {1} the revised price sheet with volume tiers."),
        ("Re: delivery window for Tuesday drops", "Confirmed the earlier window with dispatch and let {1} know."),
        ("Order guide and case pricing for {3}", "Shared the order guide with case pricing, pack sizes and lead times."),
        ("Follow-up: samples of {3}", "Asked {1} for feedback on the {3} samples and offered a second round."),
        ("Credit application and W-9", "Sent the credit application and our W-9 so purchasing can set us up as a vendor."),
        ("Recap of today's meeting with {1}", "Sent a recap with next steps and a proposed start date."),
        ("Re: {0} substitutions last week", "Apologised for the substitutions and shared the approved-substitutes list."),
    ),
    "meeting": (
        ("Menu review with {2}", "Reviewed the current menu against our catalogue; {0} is the best place to start."),
        ("Walk-through of kitchen and walk-in cooler", "Toured the kitchen and storage with {1}. Limited freezer space means smaller, more frequent drops."),
        ("On-site meeting with {1}: {0} program", "Discussed pricing structure and payment terms. {1} wants one invoice across all locations."),
        ("Lunch meeting with {1}", "Informal lunch; {1} shared their expansion plans and frustrations with the current supplier."),
        ("Budget planning session for {0}", "Went through last year's {0} spend line by line and where we can save."),
        ("Site visit: storage and receiving dock", "Covered delivery windows, receiving hours and who signs for orders."),
    ),
    "demo": (
        ("Product tasting: {3}", "Brought samples of {3}; {1} liked the yield and consistency."),
        ("Chef tasting of {0} samples", "Tasting went well; the kitchen team asked for pricing on three more items."),
        ("Combi oven demo at the test kitchen", "Ran a full lunch service on the combi oven; {1} was impressed by the consistency."),
        ("Cutting test: {3}", "Ran a side-by-side cutting test against the incumbent's product; better yield on ours."),
    ),
    "presentation": (
        ("Quarterly business review", "Reviewed fill rates, on-time deliveries and credits for the last quarter."),
        ("Presented {0} program to the purchasing committee", "Presented the landed-cost comparison and delivery schedule to the committee."),
        ("Sustainability and compostables overview", "Showed the compostable packaging line and the city ordinance timeline."),
        ("Menu cost analysis for {2}", "Walked {1} through cost per plate for the top twenty menu items."),
    ),
    "phone": (
        ("Quick check-in on order cutoff times", "Short call; {1} confirmed the 2 pm cutoff works for next-day delivery."),
        ("Confirmed Friday delivery with {1}", "{1} confirmed the order and the delivery window."),
        ("Returned {1}'s call about an invoice", "Sorted out a pricing question on the last invoice with {1}."),
        ("Phone call re: short-shipped {0}", "{1} called about a short case of {0}; replacement on tomorrow's truck."),
    ),
    "support": (
        ("Resolved short-shipped order #{4}", "Two cases of {0} were short on order #{4}. Credit issued and replacement sent next day."),
        ("Credit issued for damaged {0} cases", "Three cases arrived crushed; photos from {1}, credit approved same day."),
        ("Driver access issue at the receiving dock", "Driver could not access the dock before 7 am. Updated the delivery notes."),
        ("Substitution complaint: {3}", "Customer received a substitute for {3}; agreed on an approved-substitutes list."),
        ("Invoice correction for order #{4}", "Order #{4} was billed at the old price; corrected invoice sent to {1}."),
    ),
    "event": (
        ("Met at the regional foodservice expo", "Good conversation with {1} about their {0} needs; promised samples."),
        ("Chef's table evening at our test kitchen", "{1} attended with two cooks; strong interest in {3}."),
        ("Customer appreciation cookout", "{1} came by with the kitchen team; talked about next season's menu."),
        ("School nutrition conference: booth visit from {1}", "{1} stopped by the booth asking about USDA Foods processing and {0}."),
    ),
    "note": (
        ("Chef prefers local produce; price-sensitive on proteins", "From {1}: happy to pay more for local produce, not for proteins."),
        ("Decision expected after the board meeting", "The board meets at the end of the month; {1} will present our offer."),
        ("Competitor quoted aggressively on {0}", "Incumbent has a price-match clause; expect pushback on {0}."),
        ("{1} is travelling until the end of the month", "Follow up with the sous chef in the meantime."),
        ("Budget approved for the {0} program", "From {1}: the owner signed off on the {0} budget for next quarter."),
        ("Storage is tight: needs smaller pack sizes", "Delivery days must stay Tuesday/Friday because of staffing."),
    ),
}

OUTCOME_NOTES = {
    "positive": ("Send pricing by Friday", "Book a tasting", "Prepare the proposal", "Set up the first order"),
    "neutral": ("Follow up next week", "Wait for budget approval", "Check back after menu change"),
    "negative": ("Revisit next quarter", "Address delivery concerns first", "Escalate to manager"),
}

MEETING_LOCATIONS = (
    "Customer site",
    "Customer kitchen",
    "Pantry test kitchen",
    "Video call",
    "Regional office",
    "Coffee shop near customer",
)

PARTICIPANT_FEEDBACK = (
    "Loved the heirloom tomato samples",
    "Wants a lower minimum drop",
    "Asked about allergen labelling",
    "Concerned about the delivery window",
    "Needs sign-off from the owner",
    "Happy with the pricing",
)

LEAD_ACTIVITY_SUBJECTS = {
    "email": ("Replied to web form inquiry", "Sent intro email and catalogue", "Follow-up after the trade show"),
    "call": ("First call with new lead", "Qualification call", "Call back about price list request"),
}

NEXT_STEPS = (
    "Send revised price sheet",
    "Schedule tasting with the Executive Chef",
    "Confirm delivery days and drop sizes",
    "Get sign-off from purchasing",
    "Collect credit application",
    "Book a walk-through of the kitchen",
    "Answer proposal questions",
    "Finalize contract terms",
    "Arrange a two-week trial order",
    "Present to the purchasing committee",
    "Send samples of the top 10 items",
    "Align on the start date and first delivery",
)
WON_NEXT_STEPS = (
    "Onboarding: confirm first delivery and order guide",
    "Set up online ordering accounts",
    "Schedule the 30-day check-in",
)
LOST_NEXT_STEPS = ("", "", "Re-engage before the next bid cycle", "Check in after their contract ends")

DEAL_DESCRIPTIONS = (
    "{account} is reviewing its {category} spend across {sites}. Currently buying from {incumbent}.",
    "Opportunity to take over the {category} program for {account}; {incumbent} has had delivery issues.",
    "{account} wants one distributor for {category} and related items, starting next quarter.",
    "Menu refresh at {account} opens the door for our {category} line.",
)

COMPETITOR_NOTES = (
    "Incumbent on {category}",
    "Quoted below our {category} pricing",
    "Strong relationship with the chef",
    "Offering free delivery for three months",
    "Bundling equipment financing",
    "",
)

PROPOSAL_NOTES = (
    "Pricing valid for {days} days. Includes {drops} deliveries per week.",
    "Volume tiers apply above 200 cases a month.",
    "Revised after the tasting: standard pack instead of premium on two items.",
    "Net 30 terms; fuel surcharge waived for the first quarter.",
)

TASK_TITLES = (
    "Call {first} about {category} pricing",
    "Send revised price sheet to {first}",
    "Schedule tasting at {account}",
    "Confirm first delivery for {account}",
    "Prepare QBR deck for {account}",
    "Follow up on proposal with {first}",
    "Update order guide for {account}",
    "Collect credit application from {account}",
    "Check in after short-shipment at {account}",
    "Book kitchen walk-through at {account}",
)
ACCOUNT_TASK_TITLES = (
    "Renewal prep: {account} contract",
    "Quarterly business review with {account}",
    "Review credit limit for {account}",
    "Introduce new produce line to {account}",
)
LEAD_TASK_TITLES = ("Call back new lead {name}", "Qualify lead from {company}", "Send catalogue to {name}")
AUTOMATIONS = ("Stalled deal follow-up", "Renewal reminder", "New lead response SLA")

LEAD_NOTES = (
    "Asked about local produce sourcing for {sites}.",
    "Visited our booth; interested in compostable packaging.",
    "Filled in the web form asking for a price list.",
    "Opening a second location next spring.",
    "Unhappy with the current supplier's delivery times.",
    "Wants a quote on dairy and eggs.",
    "",
)
UNQUALIFIED_NOTES = (
    "Too small: under $500 a week of spend.",
    "Outside our delivery area.",
    "Student project inquiry.",
    "Looking for retail pricing only.",
    "Locked into a three-year contract with the incumbent.",
)
FLAG_REASONS = (
    "Possible duplicate of an existing account",
    "Email bounced",
    "Works for a competitor",
    "Suspicious form submission",
    "Asked not to be contacted by phone",
)

NOTIFICATIONS = {
    "deal_won": "{owner} won {deal} ({amount})",
    "deal_lost": "{owner} lost {deal} ({reason})",
    "stalled_deal": "{deal} has been in {stage} for {days} days",
    "lead_assigned": "New lead assigned to you: {lead}",
    "renewal_due": "Contract renewal for {account} is due on {date}",
    "task_overdue": "Task overdue: {task}",
    "quota": "Team attainment for {month} is {pct}% of quota",
}
