"""Controlled vocabularies of DESIGN.md, with their maps to the standards practitioners use.

Kept as plain data so exporters, extractors and tests read one source of truth. HIBP data classes are the display
names of Have I Been Pwned; VERIS varieties are `attribute.confidentiality.data.variety` of VERIS 1.3.
"""

from __future__ import annotations

DATA_TYPES = (
    "name", "email", "phone", "postal_address", "date_of_birth", "country", "purchase_history", "preferences",
    "spending_amount", "payment_card", "bank_account", "password", "credentials", "government_id", "ssn",
    "health", "account_id", "ip_address", "other",
)

HIBP_DATA_CLASS = {
    "name": "Names", "email": "Email addresses", "phone": "Phone numbers", "postal_address": "Physical addresses",
    "date_of_birth": "Dates of birth", "country": "Geographic locations", "purchase_history": "Purchases",
    "preferences": "Personal interests", "spending_amount": "Purchases", "payment_card": "Credit cards",
    "bank_account": "Bank account numbers", "password": "Passwords", "credentials": "Auth tokens",
    "government_id": "Government issued IDs", "ssn": "Social security numbers",
    "health": "Health insurance information", "account_id": "Usernames", "ip_address": "IP addresses", "other": "Other",
}

VERIS_DATA_VARIETY = {
    "name": "Personal", "email": "Personal", "phone": "Personal", "postal_address": "Personal",
    "date_of_birth": "Personal", "country": "Personal", "purchase_history": "Personal", "preferences": "Personal",
    "spending_amount": "Personal", "payment_card": "Payment", "bank_account": "Bank", "password": "Credentials",
    "credentials": "Credentials", "government_id": "Personal", "ssn": "Personal", "health": "Medical",
    "account_id": "Credentials", "ip_address": "Personal", "other": "Other",
}

# Access vector -> ATT&CK technique ids (their names are looked up in the MISP galaxy, see enrich.py).
ACCESS_VECTORS = {
    "phishing": ("T1566",),
    "vishing": ("T1566.004",),
    "social_engineering": ("T1566",),
    "credential_stuffing": ("T1110.004",),
    "stolen_credentials": ("T1078",),
    "third_party": ("T1199",),
    "vulnerability_exploit": ("T1190",),
    "misconfiguration": ("T1530",),
    "malware": ("T1204",),
    "insider": ("T1078",),
    "unknown": (),
}

RESPONSE_ACTIONS = (
    "law_enforcement_notified", "regulator_notified", "customers_notified", "external_experts_engaged",
    "systems_secured", "credit_monitoring_offered", "services_disrupted", "investigation",
)

RANSOM_STATUSES = ("demanded", "paid", "refused")

SECTORS = (
    "retail", "luxury-fashion", "healthcare", "finance", "telecom", "technology", "government", "education",
    "hospitality", "transport", "energy", "manufacturing", "media", "other",
)

MODALITIES = ("confirmed", "reported", "claimed", "suspected")

# Strength of a modality when sources are weighed (analysis/resolve): an authority's word beats a rumour.
MODALITY_WEIGHT = {"confirmed": 1.0, "reported": 0.8, "suspected": 0.5, "claimed": 0.4}

TIMELINE_KINDS = ("incident", "detection", "disclosure", "notification", "claim", "regulator_action")
