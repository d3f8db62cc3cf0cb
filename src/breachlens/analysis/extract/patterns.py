"""Rule data for the extractors: cue words and patterns, kept apart from the code that applies them.

Every pattern here is written from the general shape of breach reporting (how outlets, companies and attackers
phrase things), never from one article's sentence. Patterns are plain regular-expression source strings compiled
by the modules that use them; `alt()` joins alternatives and refuses an empty group.
"""

from __future__ import annotations


def alt(*options: str) -> str:
    """A non-capturing alternation; an empty option list is a bug in the rule data, so refuse it."""
    if not options or any(not o for o in options):
        raise ValueError("empty pattern group")
    return "(?:" + "|".join(options) + ")"


# --- data types ------------------------------------------------------------------------------------------------
# A word right after a list separator or a list opener ("including name, ...", "..., orders and ...").
_IN_LIST = r"(?:(?<=, )|(?<=\band )|(?<=including )|(?<=included )|(?<=contained )|(?<=: )|(?<=\()|(?<=such as ))"

# A generic data phrase followed by its expansion ("contact details (phone numbers and emails)", "financial data
# like card numbers"): the expansion says what leaked, the generic phrase adds nothing.
_NO_EXPANSION = r"(?!\s*(?:\(|[:–—-]\s|,?\s+(?:such\s+as|including|like|namely|i\.e\.|e\.g\.)))"

# Data that has no class of its own in the vocabulary (DESIGN.md "other"). Kept to kinds breach reports name as
# leaked data; words that HIBP summaries use for minor profile fields (genders, job titles, photos) stay out.
OTHER_DATA = alt(
    r"(?:source|client|game|proprietary|internal)\s+code|code\s*bases?|code\s+repositor(?:y|ies)",
    r"internal\s+(?:documents?|documentation|communications?|e-?mails|files|data|tools|dashboards|memos|reports|records)",
    r"proprietary\s+(?:data|information|documents?|details)|intellectual\s+property|trade\s+secrets",
    r"confidential\s+(?:documents|files|information|data)|(?:business|corporate|company)\s+(?:documents|records|files)",
    r"(?:workplace|legal|HR)\s+documents|contracts|court\s+(?:cases|documents|records)",
    r"code[-\s]signing\s+certificates?|digital\s+certificates",
    r"(?:employee|staff|student|payroll|personnel|pupil)\s+(?:IDs?|ID\s+numbers|numbers)",
    r"salar(?:y|ies)(?:\s+(?:information|details|data))?|payroll\s+(?:data|information|details|records)",
    r"(?:creator\s+)?payouts?(?:\s+(?:reports|details|data|information))?|compensation\s+(?:data|information|details)",
    r"income\s+(?:information|details|data)|employment[-\s](?:related\s+)?(?:history|information|details|records|data)"
    r"|employee\s+(?:records|files)",
    r"(?:personnel|HR|human\s+resources?)\s+(?:records|files|data|information)",
    r"fingerprints?|biometric\s+(?:data|information|details|identifiers)|facial\s+(?:scans|geometry)",
    r"selfies|(?:private|intimate|explicit)\s+(?:images|photos|pictures)",
    r"direct\s+messages|DMs",
    r"travel\s+(?:details|history|histories|information|itineraries|plans|data|records)|itinerar(?:y|ies)",
    r"booking\s+(?:details|references|information|data|records)",
    r"contact\s+(?:details|information|info|data)" + _NO_EXPANSION,
    r"credit\s+(?:scores?|limits?|histor(?:y|ies))|payment\s+histor(?:y|ies)",
    r"insurance\s+(?:information|details|data|policy\s+numbers|policies)",
    r"criminal\s+(?:history|histories|records?)|background\s+(?:checks|investigation\s+(?:records|files|forms))",
    r"interview\s+(?:findings|notes|records)",
    # dev-set convention: security questions are "other" (not login credentials)
    r"(?:(?:un)?encrypted\s+)?security\s+questions?(?:\s+and\s+(?:their\s+)?answers)?",
    r"education(?:al)?\s+(?:history|background|records)|academic\s+records|attendance\s+records",
    r"ethnic(?:ity|ities|\s+origins?)|religio(?:n|us\s+beliefs)|sexual\s+orientations?|disabilit(?:y|ies)",
    r"political\s+(?:opinions|affiliations|views)|special\s+category\s+data",
    r"donor\s+(?:data|information|details|records)|(?:giving|donation)\s+histor(?:y|ies)",
    r"tax\s+(?:forms|returns|documents)|W-?[29]\s+(?:forms|data|information)|W-?[29]s|state\s+secrets|call\s+recordings",
    r"activity\s+(?:data|logs)|browsing\s+(?:history|data)|location\s+(?:data|history)",
    r"vehicle\s+(?:registration|details|information)|licen[cs]e\s+plates?",
    r"call\s+(?:and\s+text\s+)?(?:records|detail\s+records)|text\s+message\s+records|account\s+balance\s+(?:snapshots|data|information)",
)

# (pattern, data type). Longer, more specific phrases come first: matching is leftmost-longest and overlapping
# hits are dropped, so "email addresses" never also yields "addresses" -> postal_address.
DATA_TYPE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"(?:e-?mails?|electronic mail)(?:\s+addresse?s?|\s+accounts?)?", "email"),
    (
        r"(?:credit|debit|payment|bank)\s*cards?(?:\s+(?:numbers?|details|data|information|info))?",
        "payment_card",
    ),
    (
        r"card\s+(?:numbers?|details|data)|(?:CVV|CVC)s?|expiry\s+dates?|expiration\s+dates?|(?:partial\s+)?card\s+data"
        r"|(?:card\s+)?verification\s+(?:codes?|values?)|cardholder\s+(?:data|names?|details|information)",
        "payment_card",
    ),
    # "credit and debit card details": the first modifier of an elided pair
    (r"credit(?=\s+(?:and|or|&|/)\s+debit\s+cards?)", "payment_card"),
    (r"payment\s+(?:details|data|information|info|methods?)", "payment_card"),
    # "activity, payment or other personal information": the modifier of an elided head noun
    (
        r"payment(?=\s*(?:,\s*(?:or\s+|and\s+)?|\s+(?:and|or|&)\s+)(?:[\w-]+\s+){0,3}?(?:data|information|details|info)\b)",
        "payment_card",
    ),
    # DESIGN.md / dev-set convention: unspecified "financial information" is bank data
    # (unless an expansion follows: "financial data such as card numbers" names the type itself)
    (
        r"financial\s+(?:data|information|info|details|credentials|records)" + _NO_EXPANSION,
        "bank_account",
    ),
    (
        r"bank(?:ing)?\s+(?:account\s+)?(?:numbers?|details|data|information|info|statements?)|bank\s+accounts?"
        r"|IBANs?|sort\s+codes?|routing\s+numbers?",
        "bank_account",
    ),
    # "banking, or credit card numbers", "financial and medical information": modifiers of an elided head noun
    (
        r"(?:banking|financial)(?=\s*(?:,\s*(?:or\s+|and\s+)?|\s+(?:and|or|&)\s+)(?:\w+\s+){0,3}?"
        r"(?:numbers|details|data|information|info|records))",
        "bank_account",
    ),
    (
        r"(?:login|log-in|sign-in|account|user)\s+credentials|credentials|auth(?:entication)?\s+(?:tokens?|cookies)"
        r"|(?:login|log-in|sign-in|logon)\s+(?:details|information|info|data)|session\s+cookies"
        r"|access\s+tokens?|session\s+tokens?|API\s+keys?|private\s+keys?|secret\s+keys?|PINs?|PIN\s+(?:codes|numbers)",
        "credentials",
    ),
    (
        r"(?:plain[-\s]?text\s+|hashed\s+|salted\s+|encrypted\s+)?pass(?:words?|wds?|codes?)|password\s+hashes"
        r"|(?:bcrypt|MD5|SHA-?\d*)\s+(?:password\s+)?hashes",
        "password",
    ),
    (
        r"social\s+security\s+(?:numbers?|information|details|data)|SSNs?"
        r"|last\s+(?:four|4)\s+digits\s+of\s+(?:their\s+|the\s+)?(?:social\s+security\s+numbers?|SSNs?)",
        "ssn",
    ),
    # partial card numbers are card data (dev-set convention)
    (
        r"last\s+(?:four|4)\s+digits"
        r"(?:\s+of\s+(?:the\s+|their\s+)?(?:credit\s+|debit\s+|payment\s+)?cards?(?:\s+numbers?)?)?",
        "payment_card",
    ),
    # "social security, banking, or credit card numbers" / "Social Security and bank account numbers"
    (
        r"social\s+security(?=\s*(?:,\s*(?:or\s+|and\s+)?|\s+(?:and|or|&)\s+)(?:[\w-]+,?\s+(?:or\s+|and\s+)?){0,4}?"
        r"(?:numbers|details|information))",
        "ssn",
    ),
    (
        r"passports?(?:\s+(?:numbers?|details|scans?|information|data|copies))?|driver[’']?s?\s+licen[cs]es?(?:\s+(?:numbers?|details))?"
        r"|driving\s+licen[cs]es?(?:\s+(?:numbers?|details))?"
        r"|(?:national\s+)?(?:identity|ID)\s+(?:card|document|number)s?|government[-\s]issued\s+(?:identity|ID|photo)\S*"
        r"(?:\s+(?:numbers?|cards?|documents?))?|tax\s+(?:identification\s+|ID\s+)?numbers?|photo\s+IDs?"
        r"|national\s+insurance(?:\s+(?:numbers?|details))?|NI\s+numbers?|NHS\s+numbers?|social\s+insurance\s+numbers?"
        r"|identification\s+(?:documents?|numbers?|cards?)|government[-\s]ID(?:\s+(?:images|documents|cards|numbers|scans|photos))?",
        "government_id",
    ),
    (
        r"(?:medical|health)(?:[-\s]related)?\s+(?:records?|data|information|conditions?|history|histories|details)"
        r"|diagnos[ie]s|prescriptions?|health\s+insurance\s+(?:information|details|numbers?)|pharmacy\s+records"
        r"|patient\s+(?:records|data|information)|clinical\s+(?:records|data|information|notes)"
        r"|psychological\s+evaluations|mental\s+health\s+(?:records|information|history)|treatment\s+information"
        r"|vaccination\s+(?:details|records|status)|test\s+results|protected\s+health\s+information|PHI"
        r"|electronic\s+health\s+records|EHRs?|medical\s+record\s+numbers?|(?:Medicare|Medicaid)\s+(?:numbers?|IDs?|details)"
        r"|genetic\s+(?:data|information|test\s+results)|DNA\s+(?:data|information|results)",
        "health",
    ),
    # "health and insurance data", "medical and financial information": modifiers of an elided head noun
    (
        r"(?:health|medical)(?=\s*(?:,\s*(?:or\s+|and\s+)?|\s+(?:and|or|&)\s+)(?:\w+\s+){0,3}?(?:data|information|records|details))",
        "health",
    ),
    (r"dates?\s+of\s+birth|birth\s*dates?|DOBs?|birthdays?", "date_of_birth"),
    (
        r"(?:mobile\s+|tele|cell\s*)?phone(?:\s+numbers?)?|mobile\s+numbers?|telephone\s+numbers?"
        r"|" + _IN_LIST + r"phones(?=\s*(?:,|\band\b|&|/|\)))",
        "phone",
    ),
    (r"IP(?:\s+addresse?s?)?", "ip_address"),
    (
        r"(?:postal|physical|home|mailing|street|delivery|billing|shipping|residential)\s+addresse?s?|addresses"
        r"|zip\s*codes?|post\s*codes?|postal\s+codes?"
        r"|(?<=their\s)address(?=\s*(?:,|\band\b|&|/|\)|\.))|" + _IN_LIST + r"address(?=\s*(?:,|\band\b|&|/|\)))",
        "postal_address",
    ),
    (
        r"user\s*names?|usernames?|screen\s+names?|display\s+names?|nicknames?|account\s+(?:IDs?|numbers?|names?)"
        r"|user\s+IDs?|member\s+IDs?|logins?|frequent\s+fl(?:y|i)er\s+(?:numbers?|IDs?|details)"
        r"|loyalty\s+(?:card|programme|program|scheme|member(?:ship)?)\s+(?:numbers?|IDs?)|membership\s+numbers?",
        "account_id",
    ),
    (r"(?:full\s+|first\s+and\s+last\s+|real\s+|customer\s+|student\s+|patient\s+|employee\s+)?names", "name"),
    # singular forms only inside a list ("The data included name, email, phone and country")
    (_IN_LIST + r"(?:full\s+|customer\s+|student\s+|patient\s+)?name(?=\s*(?:,|\band\b|&|/))", "name"),
    # "names, addresses and orders"; not "... and orders to turn off data sharing were issued"
    (_IN_LIST + r"orders(?=\s*(?:,|\band\b|&|\.|$))|(?<=\band\s)orders(?=\s*(?:,|\.|;|\)|$))", "purchase_history"),
    # "physical and IP addresses": the first word of an elided pair
    (r"(?:physical|postal|home|mailing)(?=\s+(?:and|&|or)\s+(?:IP|e-?mail)\s+address)", "postal_address"),
    # bare "countries"/"locations" only as a list item: "hotels across 50 countries" and "store locations" are not data
    (
        r"countr(?:y|ies)\s+of\s+(?:residence|location|origin)|geographic(?:al)?\s+locations?|(?:user|customer|GPS|precise)\s+locations?"
        r"|" + _IN_LIST + r"(?:countr(?:y|ies)|locations?)(?=\s*(?:,|\band\b|&|/|\)|\.|$))"
        r"|countr(?:y|ies)(?=\s+(?:and|or|&)\s+(?:\w+\s+)?(?:of\s+)?(?:residence|location))"
        r"|(?<=user’s\s)countr(?:y|ies)|(?<=user's\s)countr(?:y|ies)|(?<=users’\s)countr(?:y|ies)|(?<=users'\s)countr(?:y|ies)"
        r"|countr(?:y|ies)\s+(?:of\s+(?:the\s+)?(?:users?|customers?|members?)|(?:they\s+)?logged\s+in\s+from)",
        "country",
    ),
    (
        r"(?:purchase|order|transaction|shopping|buying)\s+(?:histor(?:y|ies)|records?|details)|"
        + _IN_LIST
        + r"purchases"
        r"|order\s+details|items?\s+purchased|details\s+of\s+purchased\s+items|information\s+about\s+purchases",
        "purchase_history",
    ),
    (
        r"(?:spending|spend)\s+(?:amounts?|details|data|totals?|histor(?:y|ies))|amounts?\s+spent",
        "spending_amount",
    ),
    (r"(?:customer\s+|shopping\s+|personal\s+)?preferences|interests", "preferences"),
    # Data outside the personal-data classes (DESIGN.md "other"): company secrets, HR and background files,
    # biometrics, private content, travel and financial-standing details, unspecified contact details.
    (OTHER_DATA, "other"),
)

# Words before a data-type phrase that make it something else ("user names" is handled above; "company names"
# or "file names" are not personal names).
DATA_TYPE_BLOCKERS = (
    r"(?:company|file|domain|brand|product|host|device|street|trade|business|band|place|wallet|crypto(?:currency)?|bitcoin"
    r"|ethereum|blockchain|MAC|web|contract|phishing|scam|spam|fake|fraudulent|malicious|suspicious|marketing|unsolicited)\s+$"
)

# Words right after a card phrase that make it the product or the trade, not card data ("credit card applications").
CARD_NOT_DATA_AFTER = (
    r"\s+(?:applica\w+|issuers?|compan(?:y|ies)|providers?|processors?|networks?|business(?:es)?|debt|offers?"
    r"|rewards|industry|fraud|terminals?|readers?|machines?|skimm\w+|limits?)\b"
)

# Right before a card phrase: the product applied for, not card data ("customers who applied for credit cards").
CARD_APPLIED_FOR_BEFORE = r"\b(?:appl(?:y|ied|ying)|sign(?:ed)?\s+up)\s+for\s+(?:a\s+|an\s+|the\s+)?$"
# After "usernames": a login pair ("usernames and passwords"), which the dev-set convention also calls credentials.
LOGIN_PAIR_AFTER = r"\s+(?:and|&|/)\s+(?:\w+\s+)?pass(?:words?|wds?)\b"
# After a bare "phone": the channel, not phone numbers ("phone calls from fraudsters", "phone support").
PHONE_NOT_DATA_AFTER = (
    r"\s+(?:calls?|scams?|lines?|support|systems?|compan(?:y|ies)|makers?|carriers?|networks?|operators?|fraud|interviews?"
    r"|conversations?|hacking|chargers?|cases?)\b"
)
# After "names": names of things, not personal names ("the names of any subreddits users follow").
NAMES_OF_THINGS_AFTER = (
    r"\s+of\s+(?:any\s+|the\s+|their\s+|its\s+|all\s+)?(?:[\w-]+\s+){0,3}?(?:subreddits|forums|communities|channels|groups"
    r"|companies|firms|files|folders|products|apps|websites|sites|brands|organi[sz]ations|servers|projects|repositories|games)\b"
)
# Before a bare "addresses": mail accounts, not postal addresses ("123k yandex.ru addresses", "guest account
# addresses").
NOT_POSTAL_BEFORE = r"(?:[\w-]+\.[a-z]{2,6}|accounts?|mail|inbox)\s+$"

# --- polarity ------------------------------------------------------------------------------------------------------
# A clause is about exposure when one of these occurs in it.
EXPOSURE_CUES = alt(
    r"expos(?:e|ed|es|ing|ure)",
    r"compromis(?:e|ed|es|ing)",
    r"stol(?:e|en)",
    r"steal(?:s|ing)?",
    r"leak(?:ed|s|ing)?",
    r"accessed",
    r"access\s+to",
    r"obtain(?:ed)?",
    r"took|taken",
    r"exfiltrat\w*",
    r"breach(?:ed|es)?",
    r"affected",
    r"impacted",
    r"includ(?:e|ed|es|ing)",
    r"contain(?:ed|s|ing)?",
    r"consist(?:ed|s|ing)?\s+of",
    r"compris(?:ed|es|ing)",
    r"involv(?:ed|es|ing)",
    r"lost",
    r"swiped",
    r"dump(?:ed)?",
    r"posted",
    r"published",
    r"sold",
    r"for\s+sale",
    r"hack(?:ed)?",
    r"scraped",
    r"amongst",
    r"along\s+with",
    r"alongside",
    r"as\s+well\s+as",
    r"data\s+(?:on|of)",
    r"linked\s+to",
    r"cop(?:ied|ying)",
    r"download(?:ed|ing)",
    r"extract(?:ed|ing)",
    r"viewed",
    r"brok(?:e|en)\s+into",
    r"harvest(?:ed|ing)",
    r"(?:(?<=not\s)|(?<=n't\s)|(?<=n’t\s)|(?<=never\s))(?:access|obtain|take|steal|view|copy|download)",
    r"traded",
    r"disclos(?:ed|es|ing)",
    r"got",
    r"(?:able|managed)\s+to\s+(?:get|grab|access|obtain|download|steal|view|take|copy)",
    r"publish(?:es|ing)?",
    r"shar(?:e|ed|ing)",
    r"releas(?:e|ed|ing)",
    # an attacker saying what it holds: "the gang told the BBC that they have customers' dates of birth"
    r"(?:claim(?:s|ed)?|said|say|says|told\s+(?:the\s+)?\w+)\s+(?:that\s+)?(?:they|it|the\s+(?:gang|group|hackers?|attackers?))\s+"
    r"(?:have|has|had|holds?|possess(?:es)?)",
    r"surfaced",
    r"circulat(?:ed|ing)",
    r"appeared\s+(?:on|online)",
)

# Negation cues whose scope is the clause they stand in: every data type in that clause is NOT exposed.
NEGATION_CUES = alt(
    r"\bno\b",
    r"\bnot\b",
    r"\*not\*",
    r"n[’']t\b",
    r"\bnever\b",
    r"\bneither\b",
    r"\bnor\b",
    r"\bnone\b",
    r"\babsence\s+of\b",
    r"\bexcluding\b",
    r"\bis\s+safe\b",
    r"\bare\s+safe\b",
    r"\bremains?\s+safe\b",
    r"\bremains?\s+secure\b",
    r"\bwere\s+safe\b",
    r"\bwas\s+safe\b",
    r"\bunaffected\b",
    r"\bnot\s+impacted\b",
)

# Phrases that make a clause hypothetical or advisory rather than a statement of what happened.
HYPOTHETICAL_CUES = alt(
    r"\bcould\b",
    r"\bwould\b",
    r"\bshould\b",
    r"\bmust\b",
    r"\bmight\b",
    r"\bcan\s+(?:be|use|lead|help)\b",
    r"\bcan\b",
    r"\bif\b",
    r"\bwhether\b",
    r"\bdesigned\s+to\b",
    r"\bin\s+order\s+to\b",
    r"\b(?:is|are|be|being)\s+used\s+to\b",  # purpose ("are used to phish"), not "profiles used to sign in"
    r"(?<!access\s)\bto\s+(?:steal|obtain|harvest|trick|extract)\b",  # not "used this access to obtain"
    r"\bensure\b",
    r"\bnever\s+share\b",
    r"\bdon[’']t\b",
    r"\bavoid\b",
    r"\bmake\s+sure\b",
    r"\burged?\b",
    r"\brecommend\w*\b",
    r"\badvis\w+\b",
    r"\bshould\s+(?:not|never)\b",
    r"\btips?\b",
    r"\badvice\b",
    r"\bimagine\b",
    r"\bwhat\s+if\b",
    r"\bfor\s+example\b",
    r"\btypically\b",
    r"\boften\b",
    r"\busually\b",
    r"\bcollect\b",
    r"\bcollects\b",
)

# --- modality ------------------------------------------------------------------------------------------------------
CLAIM_CUES = alt(
    r"\bclaim(?:s|ed|ing)?\b",
    r"\ballege(?:s|d|dly)?\b",
    r"\bboast(?:s|ed)?\b",
    r"\bsays?\s+(?:it|they)\s+(?:has|have|holds?|stole)\b",
    r"\baccording\s+to\s+the\s+(?:hackers?|attackers?|group|gang|threat\s+actors?|cybercriminals?)\b",
    r"\b(?:hackers?|attackers?|group|gang)\s+(?:said|says|told)\b",
    r"\bleak\s+site\b",
    r"\bputs?\s+up\s+for\s+sale\b",
    r"\bposted\s+(?:on|to)\s+(?:a|an|the)\s+\w*\s*(?:forum|channel|site)\b",
    r"\bunverified\b",
)
SUSPECT_CUES = alt(
    r"\blikely\b",
    r"\bprobably\b",
    r"\bpossibly\b",
    r"\bpotentially\b",
    r"\bmay\s+have\b",
    r"\bmight\s+have\b",
    r"\bcould\s+have\b",
    r"\bbelieved\s+to\b",
    r"\bsuspected\b",
    r"\breports?\s+suggest\w*\b",
    r"\bsuggests?\b",
    r"\bappears?\s+to\b",
    r"\breportedly\b",
    r"\bit\s+is\s+thought\b",
    r"\bunconfirmed\b",
    r"\bspeculat\w+\b",
)
CONFIRM_CUES = alt(
    r"\bconfirm(?:s|ed|ing)?\b",
    r"\bin\s+a\s+statement\b",
    r"\b(?:the|its)\s+(?:company|bank|lender|firm|retailer|organi[sz]ation|business|group|provider|hospital|university"
    r"|council|insurer|airline|operator|carrier|brand|school|agency|ministry|platform|service|organiser|organizer)\s+"
    r"(?:said|says|stated|told|added|stressed|explained|wrote)\b",
    r"\b(?:it|they)\s+(?:said|says|stressed|stated|added|confirmed)\b",
    r"\bspokes(?:person|man|woman)\b[^.;]{0,40}\b(?:said|says|confirmed|told)\b",
    r"\bofficial\s+notifications?\b",
    r"\bnotif(?:ied|ication|ications)\b",
    r"(?<!not\s)(?<!to\s)(?<!n't\s)\bdisclos(?:ed|es)\b",
    r"\bannounc(?:ed|es)\b",
    r"\bfil(?:ed|ing)\s+with\b",
    r"\bregulatory\s+filing\b",
    r"\bsaid\s+in\s+a\b",
    r"\badmitted\b",
    r"\backnowledged\b",
    r"\bemphasi[sz]es\b",
    r"\bassures?\b",
)

# --- breach lexicon (is this sentence about an incident?) ---------------------------------------------------------
BREACH_WORDS = alt(
    r"breach(?:ed|es)?",
    r"hack(?:ed|s)?",
    r"cyber[-\s]?attacks?",
    r"cyber[-\s]?incidents?",
    r"attack(?:ed|s)?",
    r"intrusions?",
    r"compromis(?:e|ed)",
    r"unauthori[sz]ed\s+(?:access|part(?:y|ies))",
    r"gain(?:ed)?\s+access",
    r"ransomware",
    r"leak(?:ed|s)?",
    r"stol(?:e|en)",
    r"exfiltrat\w+",
    r"security\s+incident",
    r"cybercrime",
    r"data\s+theft",
    r"exposed",
    r"victims?",
    r"extortion",
)

# --- records -------------------------------------------------------------------------------------------------------
# Nouns that count affected people or records. A count of anything else (stores, employees worldwide, years,
# dollars) is not a record count.
COUNTED_NOUNS = alt(
    r"(?:unique\s+)?e-?mail(?:\s+(?:and|&)\s+(?:IP|physical|postal|home)|\s*,\s*IP\s+and\s+physical)?\s+address(?:es)?",
    r"(?:unique\s+)?e-?mails",
    r"usernames",
    r"user\s+names",
    r"(?:customer|user|member|patient|account|personal|data|client)?\s*records",
    r"individuals",
    r"people",
    r"persons",
    r"customers",
    r"users",
    r"accounts",
    r"members",
    r"subscribers",
    r"patients",
    r"clients",
    r"players",
    r"students",
    r"citizens",
    r"voters",
    r"consumers",
    r"shoppers",
    r"passengers",
    r"guests",
    r"employees",
    r"staff",
    r"applicants",
    r"residents",
    r"households",
    r"policyholders",
    r"documents",
    r"files",
    r"rows",
    r"entries",
    r"identities",
    r"profiles",
    r"credentials",
    r"passwords",
    r"phone\s+numbers",
    r"card(?:holder)?s",
    r"transactions",
    r"purchases",
    r"parents",
    r"children",
    r"learners",
    r"job\s+seekers",
    r"candidates",
    r"donors",
    r"buyers",
    r"sellers",
    r"drivers",
    r"riders",
    r"owners",
    r"attendees",
    r"visitors",
    r"(?:ticket\s*)?holders",
    r"fans",
    r"viewers",
    r"readers",
    r"travell?ers",
    r"tenants",
    r"workers",
    r"pupils",
    r"investors",
    r"traders",
    r"borrowers",
    r"savers",
    r"shareholders",
    r"beneficiaries",
    r"claimants",
    r"recipients",
    r"registrants",
    r"participants",
    r"guests",
    r"diners",
    r"gamers",
    r"listeners",
    # counted things other than people can still be the record count when nothing else is counted
    r"(?:credit\s+card\s+|loan\s+|job\s+)?applications",
    r"images",
    r"photos",
    r"pictures",
    r"selfies",
    r"videos",
    r"contacts",
)
# A count in these frames is a customer base, a workforce or a total, not the breach's size.
BASE_COUNT_CUES = alt(
    r"\b(?:its|our)\s+$",
    r"\bserves?\s+(?:over\s+|more\s+than\s+|some\s+|about\s+|around\s+)?$",
    r"\bhas\s+(?:over\s+|more\s+than\s+|some\s+|about\s+|around\s+)?$",
    r"\bboasts\s+$",
    r"\bcustomer\s+base\s+of\s+$",
    r"\bout\s+of\s+(?:its\s+)?$",
    r"\bof\s+its\s+$",
    r"\b(?:company|firm|retailer|business|bank|lender|provider|platform|service|chain|brand|insurer|operator|group|network"
    r"|app|society|union|carrier|airline|university|hospital|giant|marketplace|site|website|store|shop|club|league)"
    r"\s+with\s+(?:over\s+|more\s+than\s+|some\s+|about\s+|around\s+|nearly\s+)?$",
    r"\bemploys\s+$",
    r"\b(?:in\s+total|combined|altogether|overall|cumulative(?:ly)?)\s+(?:of\s+)?(?:over\s+|more\s+than\s+|some\s+|about\s+)?$",
)
# Words between a number and its counted noun that make the counted things organisations ("1,500 downstream
# customers" of an IT supplier are businesses) or a customer base ("12 million active customers").
BASE_COUNT_FILLER = (
    r"\b(?:active|monthly|registered|loyal|worldwide|downstream|business|corporate|enterprise|institutional|B2B)\b"
)
# A bare count right after a breach verb: "a breach affecting 4.2 million" (the counted noun is understood).
BARE_COUNT_VERBS = (
    r"(?:affect(?:ing|ed|s)?|impact(?:ing|ed|s)?|expos(?:ing|ed|es)|compromis(?:ing|ed|es)|hit(?:ting)?|stole"
    r"|steal(?:ing)?|leak(?:ed|ing)|involv(?:ing|ed))"
)
BASE_COUNT_AFTER = alt(
    r"^\s*(?:active|registered|monthly|daily|loyal|online)?\s*\w*\s*(?:worldwide|globally|around\s+the\s+world"
    r"|across\s+(?:the\s+)?(?:\w+\s+)?(?:countries|country|world|globe|regions|states|markets|continents|nations|Europe|Asia|Africa|America))",
    r"^\s*(?:active|monthly|daily)\s",
    r"^\s*(?:\w+\s+){0,2}(?:stores|shops|outlets|branches|locations|countries|markets)",
    # a total over a campaign's many victims is not one victim's count
    r"^[^.;]{0,40}?\b(?:across|at|from|in)\s+(?:more\s+than\s+|over\s+|some\s+|nearly\s+|about\s+)?[\d,]+\s+"
    r"(?:organi[sz]ations|companies|victims|firms|businesses|entities|institutions|agencies|hospitals|schools)",
)

# --- response actions ---------------------------------------------------------------------------------------------
_NOTIFY = (
    r"(?:notif(?:y|ied|ying)|inform(?:ed|ing|s)?|alert(?:ed|ing)?|contact(?:ed|ing)?"
    r"|report(?:ed|ing)?\s+(?:it\s+|the\s+\w+\s+)?to|work(?:s|ed|ing)?\s+(?:closely\s+)?with|cooperat\w+\s+with"
    r"|liais\w+\s+with|involv(?:ed|ing)|in\s+contact\s+with)"
)
RESPONSE_PATTERNS: tuple[tuple[str, str], ...] = (
    # filings: an SEC 8-K, a notice filed with a state attorney general or a regulator
    (
        r"8-K|(?:regulatory|SEC)\s+filings?|fil(?:ed|ing)\s+(?:a\s+|an\s+|its\s+)?(?:[\w-]+\s+){0,3}?with\s+(?:the\s+)?(?:[\w.-]+\s+){0,3}?"
        r"(?:regulators?|SEC|Securities\s+and\s+Exchange\s+Commission|attorneys?\s+general|authorit(?:y|ies)|commission(?:er)?)"
        r"|(?:notification|notice)\s+(?:letter\s+)?filed\s+(?:in|with)\b",
        "regulator_notified",
    ),
    # "All affected employees, the data protection authorities and the police have been informed": one verb, three
    # parties
    (
        r"(?:customers|users|members|clients|patients|employees|staff|individuals|people|partners|organi[sz]ations)\b[^.;]{0,100}?"
        r"\b(?:have|has|had|were|was|are\s+being)\s+(?:been\s+)?(?:informed|notified|contacted|alerted)",
        "customers_notified",
    ),
    (
        r"(?:data\s+protection\s+authorit(?:y|ies)|regulators?|supervisory\s+authorit\w+)\b[^.;]{0,100}?"
        r"\b(?:have|has|had|were|was)\s+(?:been\s+)?(?:informed|notified|alerted)",
        "regulator_notified",
    ),
    (
        r"(?:law[-\s]enforcement(?:\s+agencies)?|police)\b[^.;]{0,60}?\b(?:have|has|had|were|was)\s+(?:been\s+)?(?:informed|notified|alerted)",
        "law_enforcement_notified",
    ),
    # notifying client organisations is notifying the customers (dev-set convention)
    (
        r"(?:notif(?:y|ied|ying)|inform(?:ed|ing)|contact(?:ed|ing))\s+(?:its\s+|their\s+|each\s+|all\s+|affected\s+|impacted\s+)*"
        r"(?:\w+\s+)?(?:partners|organi[sz]ations?|businesses|hospitals|trusts|schools|charities)\b",
        "customers_notified",
    ),
    (
        r"(?:contact(?:ed|ing)|call(?:ed|ing)\s+in|consult(?:ed|ing)|along\s+with|assistance\s+from|help\s+from|support\s+from)\s+"
        r"(?:\w+\s+){0,2}?(?:cyber\s*security|security|forensics?|incident\s+response)\s+(?:experts?|specialists?|firms?|investigators?|consultants?)"
        r"|(?:forensic|security|cyber\s*security|outside|external|third[-\s]party)\s+experts\s+(?:investigated|examined|reviewed|analy[sz]ed)",
        "external_experts_engaged",
    ),
    # containment: the intruder locked out, the affected system cut off, secrets invalidated
    (
        r"lock(?:ed|ing)?\s+(?:the\s+)?(?:\w+\s+)?(?:attackers?|hackers?|intruders?|cyber\s*criminals?|criminals?|actors?)\s+out"
        r"|(?:expell?(?:ed|ing)|evict(?:ed|ing)|kick(?:ed|ing)\s+out|block(?:ed|ing))\s+(?:the\s+)?(?:\w+\s+)?(?:attackers?|hackers?|intruders?|actors?)"
        r"|disconnect(?:ed|ing)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:systems?|servers?|networks?|devices?|appliances?)"
        r"|invalidat(?:ed|ing)\s+(?:the\s+|all\s+)?(?:[\w-]+\s+){0,3}?(?:passwords?|questions|tokens|sessions|credentials|keys|cookies|certificates)"
        r"|rotat(?:e|ed|ing)\s+(?:all\s+|the\s+)?(?:[\w-]+\s+){0,2}?(?:secrets|keys|tokens|credentials|passwords)"
        r"|(?:mitigat|remediat|neutrali[sz])(?:ed|ing)\s+(?:the\s+)?(?:damage|attack|threat|incident|breach|issue|intrusion)"
        r"|(?:quickly|swiftly|immediately)\s+(?:resolved|addressed|contained|stopped|shut\s+down)"
        r"|(?:revok|terminat|disabl)(?:ed|ing)\s+(?:the\s+|all\s+|its\s+)?(?:[\w-]+\s+){0,2}?(?:access|accounts?|credentials|tokens|sessions|keys)"
        r"|(?:logged|signed)\s+out\s+(?:all\s+)?(?:users|customers|sessions)|(?:forced|required)\s+(?:\w+\s+){0,3}?to\s+(?:reset|change)\s+(?:their\s+)?passwords"
        r"|(?:took|taken|taking|take|takes)\s+(?:the\s+|its\s+|their\s+|all\s+|of\s+|certain\s+|some\s+|affected\s+)*(?:\w+\s+){0,2}?"
        r"(?:systems?|servers?|networks?)\s+(?:and\s+(?:\w+\s+)?services\s+)?offline",
        "systems_secured",
    ),
    # services down: the site, platform or plant stated as down, offline, unavailable or halted
    (
        r"(?:website|site|services?|platform|systems?|app|portal|network|stores?|plants?|facilit(?:y|ies)|factories|operations"
        r"|production|servers?)\s+(?:was|were|is|are|has\s+been|have\s+been|had\s+been|remained|remains|went|has\s+gone)\s+"
        r"(?:still\s+|temporarily\s+|partly\s+|partially\s+|largely\s+|completely\s+)?(?:down|offline|unavailable|inaccessible|closed|shut)"
        r"|(?:took|taken|take|taking|forc\w+\s+\w+\s+to\s+take)\s+down\s+(?:the\s+|its\s+|their\s+)?(?:[\w’'-]+\s+){0,3}?(?:website|site|services?|systems?|platform)"
        r"|(?:took|taken|take|taking|takes)\s+(?:the\s+|its\s+|their\s+|all\s+|certain\s+|some\s+)*(?:\w+\s+){0,2}?systems\s+and\s+services\s+offline"
        r"|(?:temporarily\s+|briefly\s+)?(?:suspend|halt|paus|stopp|disabl)(?:ed|ing)\s+(?:all\s+|its\s+|their\s+|the\s+|some\s+|temporarily\s+)*(?:[\w’'-]+\s+){0,3}?"
        r"(?:orders|services|operations|deposits|withdrawals|trading|payments|deliveries|sales|production|flights|transfers|systems?)"
        r"|(?:plants?|facilit(?:y|ies)|factories|sites|offices|schools|hospitals)\b[^.;]{0,40}?\b(?:shut(?:ting)?\s+down|closed|halted|stopped)"
        r"|(?:partly|partially|temporarily)\s+unavailable",
        "services_disrupted",
    ),
    (
        _NOTIFY
        + r"\b[^.;]{0,60}?\b(?:data\s+protection\s+authorit(?:y|ies)|regulators?|supervisory\s+authorit\w+"
        r"|information\s+commissioner|(?:the\s+)?ICO\b|CNIL|attorneys?\s+general|privacy\s+(?:commissioner|regulator)"
        r"|(?:the\s+)?SEC\b|data\s+protection\s+(?:agency|office|commission))",
        "regulator_notified",
    ),
    (
        r"(?:external|third[-\s]party|outside|independent)?\s*(?:cyber\s*security|security|forensics?)\s+(?:experts?|firms?|specialists?"
        r"|compan(?:y|ies)|investigators?)\s+(?:are|were|have\s+been|has\s+been|was)\s+(?:engaged|brought\s+in|hired|retained"
        r"|called\s+in|assisting|helping)",
        "external_experts_engaged",
    ),
    (
        r"(?:regulators?|data\s+protection\s+authorit(?:y|ies))\s+(?:ha(?:ve|s)\s+been|were|was)\s+(?:notified|informed)",
        "regulator_notified",
    ),
    (
        r"(?:regulators?|commission(?:er)?|authority|ICO|CNIL|ombudsman|supervisor)\b[^.;]{0,60}\b(?:received|had\s+received|has\s+"
        r"received)\s+(?:a\s+)?(?:breach\s+|data\s+breach\s+)?(?:notification|report|notice)",
        "regulator_notified",
    ),
    (
        _NOTIFY
        + r"\b[^.;]{0,70}?\b(?:law[-\s]enforcement|police|FBI|(?:the\s+)?authorities|National\s+Crime\s+Agency"
        r"|federal\s+(?:officials|authorities|agents|investigators|agencies)"
        r"|Action\s+Fraud|Europol|cyber\s*crime\s+unit)(?<!protection\sauthorities)(?<!privacy\sauthorities)"
        r"(?<!regulatory\sauthorities)(?<!supervisory\sauthorities)",
        "law_enforcement_notified",
    ),
    (
        r"(?:law\s+enforcement|police|(?:the\s+)?authorities)\s+(?:ha(?:ve|s)\s+been|were|was)\s+(?:notified|informed|alerted)",
        "law_enforcement_notified",
    ),
    (
        r"(?:notif(?:y|ied|ying)|inform(?:ed|ing)|contact(?:ed|ing)|e-?mail(?:ed|ing)|writ(?:ten|ing)\s+to|wrote\s+to"
        r"|sen(?:t|ding)\s+(?:letters|emails|notices)\s+to)\b[^.;]{0,50}?\b(?:affected\s+|impacted\s+)?"
        r"(?:customers?|users?|individuals|people|members?|clients?|patients?|those\s+affected|subscribers?"
        r"|attendees|guests|passengers|students|employees|staff|policyholders|account\s*holders|ticket\s*holders|victims"
        r"|players|gamers|shoppers|travell?ers|residents|households|donors|readers|listeners|fans|borrowers|savers)",
        "customers_notified",
    ),
    (
        r"(?:told|tells|telling|emailed|e-mailed|wrote\s+to|writing\s+to)\s+(?:its\s+|affected\s+|all\s+)*(?:customers|users|members"
        r"|clients|patients|shoppers|guests|passengers|students|employees|policyholders)|in\s+an?\s+(?:e-?mail|letter|notice)\s+to\s+"
        r"(?:its\s+|affected\s+)*(?:customers|users|members|clients|patients|shoppers|guests)",
        "customers_notified",
    ),
    (
        r"notifications?\s+(?:were\s+|was\s+|have\s+been\s+)?sent\s+to|notification\s+letters|breach\s+notices?"
        r"(?!\s+(?:letter\s+)?filed)",  # a notice filed with a regulator is the regulator's
        "customers_notified",
    ),
    (
        r"(?:affected\s+|impacted\s+)?(?:customers|users|members|clients|patients|attendees|guests|passengers|students"
        r"|employees|policyholders|individuals)\s+(?:are\s+being|were|have\s+been|has\s+been|will\s+be|are)\s+"
        r"(?:contacted|notified|informed|written\s+to|emailed|alerted|warned)",
        "customers_notified",
    ),
    (
        r"(?:engag(?:ed|ing|es)|enlist(?:ed|ing)|hir(?:ed|ing)|retain(?:ed|ing)|brought\s+in|bringing\s+in"
        r"|appoint(?:ed|ing)|work(?:s|ed|ing)?\s+(?:closely\s+)?with|assistance\s+of|help\s+of|support\s+of)"
        r"\b[^.;]{0,50}?\b(?:external|third[-\s]party|outside|independent|leading|specialist)?\s*"
        r"(?:cyber\s*security|security|forensics?|incident\s+response|IT)\s+(?:firms?|experts?|compan(?:y|ies)"
        r"|specialists?|teams?|consultan\w+|professionals|partners?|investigators?)",
        "external_experts_engaged",
    ),
    (
        r"(?:forc(?:ed|ing|es)|requir(?:ed|ing|es)|trigger(?:ed|ing))\s+(?:a\s+|an?\s+)?(?:mandatory\s+)?(?:password|credential)\s+"
        r"(?:resets?|changes?)",
        "systems_secured",
    ),
    (
        r"(?:passwords?|credentials|access|keys|tokens)\s+(?:had|has|have|were|was)\s+(?:since\s+)?(?:been\s+)?(?:reset|rotated|changed"
        r"|revoked)|(?:plug-?in|extension|backdoor|malware|vulnerability|flaw)\s+(?:has|had|was|have\s+been)\s+(?:since\s+)?"
        r"(?:been\s+)?(?:removed|patched|fixed|closed)",
        "systems_secured",
    ),
    (
        r"(?:took|taken|taking|take)\s+(?:the\s+|its\s+|their\s+|affected\s+)?(?:\w+\s+)?(?:database|server|servers|bucket"
        r"|instance|systems?|network|portal)\s+offline|(?:database|server|bucket|instance)\s+(?:has|had|was)\s+(?:been\s+)?"
        r"(?:taken\s+offline|secured|closed|locked\s+down|removed)",
        "systems_secured",
    ),
    (
        r"(?:contain(?:ed|ing)?|isolat(?:ed|ing))\s+(?:the\s+|this\s+)?(?:breach|incident|attack|intrusion|threat|damage|infection)",
        "systems_secured",
    ),
    (
        r"(?:secured|securing|to\s+secure|lock(?:ed)?\s+down|isolat(?:ed|ing)|tak(?:en|ing)\s+(?:\w+\s+)?offline"
        r"|shut\s+down|strengthen(?:ed|ing)?|bolster(?:ed|ing)?|beef(?:ed|ing)?\s+up|reinforc(?:ed|ing)|harden(?:ed|ing)?"
        r"|enhanc(?:ed|ing)|reset|rotat(?:e|ed|ing)|patch(?:ed|ing))\b[^.;]{0,40}?\b(?:its\s+|their\s+|the\s+|internal\s+)*"
        r"(?:IT\s+)?(?:systems?|servers?|security(?:\s+measures)?|networks?|breach|incident|passwords|credentials|access|secrets"
        r"|vulnerabilit(?:y|ies)|environment|defen[cs]es)",
        "systems_secured",
    ),
    (
        r"(?:investigat(?:ion|ions|ing|e|es|ed)|forensic\s+(?:review|analysis|examination)"
        r"|(?:to\s+)?(?:determine|establish|figure\s+out|find\s+out|understand|assess)\s+(?:what\s+(?:went\s+wrong|happened)"
        r"|the\s+(?:scope|extent|cause|full\s+impact)|how\s+(?:the\s+)?(?:attackers?|hackers?|intruders?|criminals?|breach|intrusion|it\s+happened)))",
        "investigation",
    ),
    (
        r"(?:offer(?:s|ed|ing)?|provid(?:e|es|ed|ing))\b[^.;]{0,40}?\b(?:free\s+)?(?:credit\s+monitoring|identity\s+"
        r"(?:theft\s+)?(?:protection|monitoring)|credit\s+report\w*)",
        "credit_monitoring_offered",
    ),
    (
        r"(?:forc\w+|forced)\s+(?:\w+\s+){0,4}?to\s+(?:cancel|close|suspend|shut|postpone|halt|divert)|cancel(?:led|ed|ling|ing)\s+"
        r"(?:\w+\s+)?(?:appointments|flights|orders|operations|surgeries|classes|deliveries|trains|services)",
        "services_disrupted",
    ),
    (
        r"(?:disrupt(?:ed|ing|ion|ions)|outages?|(?:took|taken|taking|take)\s+(?:the\s+|its\s+|their\s+)?(?:\w+\s+)?"
        r"(?:site|website|store|stores|services?|app|platform|booking\s+system)\s+offline|(?:close|closed|closing|shut|shutting)\s+down\s+(?:its|their|the)\s+"
        r"(?:website|stores|systems|services|online)|suspend(?:ed|ing)\s+(?:online\s+)?(?:orders|services|operations)|(?:orders|services|operations|deliveries|sales|payments)\s+(?:were|was|have\s+been|had\s+been)\s+(?:suspended|halted|paused|disrupted|stopped)"
        r"|(?:site|website|store|stores|services?|app|platform)\s+(?:went|was\s+knocked|was\s+taken)\s+offline|halt(?:ed|ing)\s+(?:online\s+)?(?:orders|operations))",
        "services_disrupted",
    ),
)

# A response sentence in these frames is advice or speculation about what should be done, not what was done.
RESPONSE_BLOCKERS = alt(
    r"\bcan\b",
    r"\bwill\b",
    r"\bshould\b",
    r"\bmust\b",
    r"\bneeds?\s+to\b",
    r"\bought\s+to\b",
    r"\bcould\b",
    r"\bwould\b",
    r"\bmay\s+need\b",
    r"\brecommend\w*\b",
    r"\badvis\w+\b",
    r"\burg(?:e|es|ed|ing)\b",
    r"\bconsider\b",
    r"\bif\b",
    r"\bwhen\s+an?\b",
    r"\btips?\b",
    r"\bencouraged\b",
    r"\bbest\s+practices?\b",
    r"\bcompanies\b",
    r"\bbusinesses\b",
    r"\borganisations\b",
    r"\borganizations\b",
    r"\bretailers\b",
    r"\bbrands\s+(?:may|should|must|need)\b",
    r"\bwarnings?\s+from\b",
    r"\binsights?\s+from\b",
    r"\bexperts?\s+(?:say|warn|argue|believe)\b",
)

# --- ransom --------------------------------------------------------------------------------------------------------
_GAP = r"(?:[^.;]|\.(?=\d)){0,30}"  # up to 30 characters within the sentence ("paid $2.3 million in ransom")
RANSOM_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        r"(?:refus(?:ed|es|ing)|declin(?:ed|es|ing)|(?:did|does|will)\s+not|won[’']t|would\s+not|has\s+not)\s+(?:to\s+)?pay"
        r"(?:ing)?\b" + _GAP + r"\bransom|(?:refus(?:ed|ing)|declin(?:ed|ing))\s+(?:the\s+|a\s+|any\s+)?ransom"
        r"|ransom\s+(?:was|has)\s+not\s+(?:been\s+)?paid|no\s+ransom\s+(?:was|has\s+been)\s+paid|not\s+(?:to\s+)?pay\s+(?:any|the|a)\s+ransom"
        r"|(?:be|was|is)\s+no\s+ransom\s+payments?|(?:resist(?:ed|ing)|rebuff(?:ed|ing)|rejected|ignored)\s+(?:its\s+|the\s+|their\s+|an?\s+)?(?:[\w’'-]+\s+){0,2}?"
        r"(?:extortion|ransom)(?:\s+(?:attempt|demand)s?)?",
        "refused",
    ),
    (
        r"\bpaid\b" + _GAP + r"\bransom|ransom\s+(?:was|has\s+been|had\s+been)\s+paid"
        r"|(?:agreed|decided)\s+to\s+pay\b" + _GAP + r"ransom",
        "paid",
    ),
    (
        r"ransom\s+(?:demands?|notes?)|demand(?:ed|ing|s)?\s+(?:a\s+|an?\s+)?(?:\$?[\d.,]+\s*\w*\s+)?ransom"
        r"|ransom\b[^.;]{0,20}\bdemanded|extort(?:ion|ed)\s+(?:demand|attempt)"
        r"|demand(?:ed|ing)\s+(?:money|payment|a\s+payment|cash|bitcoin|cryptocurrency)"
        r"|(?:tried|attempted|sought|trying|attempting)\s+to\s+extort",
        "demanded",
    ),
)

# --- access vectors ------------------------------------------------------------------------------------------------
VECTOR_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        r"vishing|voice\s+phishing|phone\s+phishing|(?:fraudulent|impersonat\w+)\s+(?:phone\s+)?calls?\s+to\s+(?:the\s+)?(?:help\s*desk|IT)"
        r"|(?:socially\s+engineer\w*|tricked|deceived|duped|impersonat\w+|manipulat\w+)\b[^.;]{0,60}?\b(?:by|over\s+the|via)\s+(?:tele)?phone\b"
        r"|(?:call(?:ed|ing)|phon(?:ed|ing)|ring(?:ing)?|rang)\s+(?:the\s+|its\s+|their\s+|an?\s+)?(?:[\w’'-]+\s+){0,2}?"
        r"(?:help\s*desk|service\s+desk|IT\s+(?:support|department|team)|support\s+(?:line|staff|desk))",
        "vishing",
    ),
    (r"spear[-\s]?phishing|(?:SMS\s+)?(?<!voice\s)(?<!phone\s)phishing|smishing", "phishing"),
    (
        r"social(?:ly)?[-\s]engineer(?:ing|ed)?|impersonat(?:ed|ing|ion)\s+(?:of\s+)?(?:an?\s+)?(?:employees?|staff|IT|help\s*desk)"
        r"|(?:MFA|push|prompt)\s+(?:fatigue|bombing|spamming)",
        "social_engineering",
    ),
    (r"credential[-\s]stuffing|password[-\s]spraying|brute[-\s]forc\w+", "credential_stuffing"),
    (
        r"(?:stolen|compromised|leaked|exploited|harvested|internal|valid|employee)\s+(?:login\s+)?credentials"
        r"|(?:stolen|compromised)\s+(?:passwords|accounts|logins?)|credentials\s+(?:were\s+)?(?:stolen|compromised)"
        # a session hijack or a leaked key is the use of stolen credentials
        r"|(?:stole|stolen|steal(?:s|ing)?|harvest(?:ed|ing)?|hijack(?:ed|ing)?)(?=\s+(?:an?\s+|the\s+|its\s+)?(?:[\w-]+\s+){0,4}?"
        r"(?:session\s+(?:cookies?|tokens?)|(?:auth(?:entication)?|access)\s+tokens?|private\s+keys?))"
        r"|session\s+(?:cookie|token)\s+theft|(?:leak(?:ed|age)?|theft|compromise)\s+of\s+(?:the\s+|a\s+)?(?:[\w-]+\s+){0,3}?private\s+keys?"
        r"|private\s+keys?\s+(?:was|were|had\s+been|has\s+been)\s+(?:leaked|stolen|compromised)"
        r"|SMS\s+intercept(?:ion)?|(?:SIM[-\s]swap\w*)"
        r"|(?:via|through|using)\s+(?:an?\s+|one\s+)(?:[\w-]+\s+){0,2}?account\s+(?:which|that)\s+(?:did\s+not|didn[’']t|lacked)"
        r"|(?:accounts?|logins?|portal|credentials)\s+(?:that\s+|which\s+)?(?:lacked|without|(?:did\s+not|didn[’']t)\s+have|(?:was|were)\s+not\s+protected\s+by)"
        r"\s+(?:multi[-\s]?factor|two[-\s]?factor|MFA|2FA)",
        "stolen_credentials",
    ),
    (
        r"third[-\s]party\s+(?:[\w-]+\s+){0,2}?(?:provider|vendor|supplier|integrations?|application|app|platform|partner|contractor|software|package|tool|service)s?"
        r"|supply[-\s]chain\s+(?:attack|compromise)|(?:vendor|supplier)\s+(?:compromise|breach)"
        # a flaw in another company's product: "a vulnerability in Fortra's file transfer software"
        r"|(?:vulnerabilit(?:y|ies)|flaws?|bugs?|zero[-\s]days?)\s+in\s+(?-i:[A-Z])[\w&.-]*(?:\s+(?-i:[A-Z])[\w&.-]*){0,2}[’']s\s+"
        r"(?:[\w-]+\s+){0,4}?(?:software|service|product|application|app|tool|appliance|platform|solution|system|FTA|MFT)\b"
        # "its use of file transfer software called X, developed by Y": another company's product
        r"|(?:software|tool|product|service|platform|application|appliance)\b[^.;]{0,60}?\b(?:developed|made|sold|supplied|provided)\s+by\b",
        "third_party",
    ),
    (
        r"configuration\s+(?:vulnerabilit(?:y|ies)|errors?|flaws?|issues?|mistakes?|change)|misconfigur\w+",
        "misconfiguration",
    ),
    (
        r"(?:exploit(?:ed|ing|ation)?\s+(?:of\s+)?(?:a\s+|an\s+)?(?:\w+\s+){0,3}(?:vulnerabilit(?:y|ies)|flaw|bug|zero[-\s]day)"
        r"|zero[-\s]day|CVE-\d{4}-\d{4,7}|unpatched\s+(?:\w+\s+)?(?:server|system|software|vulnerabilit\w+|appliance|device)s?|SQL\s+injection"
        r"|(?:vulnerabilit(?:y|ies)|flaws?)\s+(?:\w+\s+){0,6}?(?:was|were|had\s+been|has\s+been|being)\s+exploited"
        r"|(?:failed|failure)\s+to\s+(?:patch|update|fix)|(?:previously\s+)?unknown\s+vulnerabilit(?:y|ies)"
        r"|(?:leverag|abus|us)(?:ed|ing)\s+(?:the|a|an)\s+(?:\w+\s+){0,3}?(?:vulnerabilit(?:y|ies)|flaw|bug)"
        r"|exploit\s+used)",
        "vulnerability_exploit",
    ),
    (
        r"misconfigur\w+|(?:unsecured|unprotected|publicly\s+(?:exposed|accessible)|open)\s+(?:\w+\s+){0,2}"
        r"(?:database|server|bucket|instance|Elasticsearch|MongoDB|S3)|left\s+(?:\w+\s+){0,2}(?:exposed|unprotected|publicly)",
        "misconfiguration",
    ),
    (
        r"malware|infostealer|info-stealer|trojan|keylogger|ransomware\s+(?:payload|strain|infection)",
        "malware",
    ),
    (
        r"(?:rogue|malicious|disgruntled)\s+(?:[\w-]+\s+)?(?:employee|insider|staff|contractor|agent)s?|insider\s+(?:threat|attack|job|wrongdoing)"
        r"|brib(?:ed|ing|es)\s+(?:[\w-]+\s+){0,3}?(?:employees?|staff|agents|contractors|insiders?|workers)"
        r"|insiders?\s+(?:leaked|stole|shared|took)|(?:former|ex-|rogue|disgruntled)\s*(?:[\w-]+\s+){0,2}?"
        r"(?:employees?|staff(?:ers)?|workers|contractors?)\s+(?:\w+\s+){0,2}?(?:misappropriated|leaked|stole|exfiltrated|shared)",
        "insider",
    ),
)
# An access-vector word counts only in a sentence that says how the attackers got in.
ACCESS_CONTEXT = alt(
    r"\bgain(?:ed|ing)?\s+(?:initial\s+)?access\b",
    r"\binitial\s+access\b",
    r"\bobtained\s+(?:through|via|by|using|in)\b",
    r"\b(?:through|via|by\s+means\s+of|using)\b",
    r"\bexploit(?:ed|ing)\b",
    r"\bbypass\w*\b",
    r"\babuse\s+of\b",
    r"\bleverag(?:ed|ing)\b",
    r"\bentry\s+points?\b",
    r"\bbroke\s+in\b",
    r"\bcaused\s+by\b",
    r"\bstemm?(?:ed|ing)\s+from\b",
    r"\bresult(?:ed)?\s+(?:of|from)\b",
    r"\btraced\s+(?:back\s+)?to\b",
    r"\bbegan\s+with\b",
    r"\bstarted\s+with\b",
    r"\btactics?\b",
    r"\bmethod\b",
    r"\bcompromise\b",
    r"\bled\s+to\b",
    r"\bvulnerabilit(?:y|ies)\b",
    r"\btargeting\b",
    r"\bthe\s+attackers?\b",
    r"\bthe\s+hackers?\b",
    r"\bthreat\s+actors?\b",
    r"\bused\b",
    r"\btricked\b",
    r"\bsocially\s+engineered\b",
    r"\bobtained\s+access\b",
    r"\bable\s+to\s+access\b",
    r"\bresult(?:ed|ing)\s+in\b",
    r"\bdue\s+to\b",
    r"\bbecause\s+of\b",
    r"\bto\s+blame\b",
    r"\bblamed\b",
    r"\binfected\b",
    r"\b(?:installation|installed|deployed|lands?)\b",
    r"\bphishing\s+(?:attempts?|attacks?|campaigns?|e-?mails?|messages?|texts?)\b",
    r"\btargeted\b",
    r"\bmade\s+possible\b",
    r"\bthrough\b",
    r"\bfailed\s+to\s+patch\b",
    r"\bstole\b",
    r"\bmisappropriated\b",
    r"\b(?:got|get|gets|getting)\s+in\b",
    r"\bgained\s+entry\b",
    r"\baccessed\b",
    r"\bbrib(?:ed|ing|es)\b",
    r"\b(?:former|rogue|disgruntled)\s+(?:[\w-]+\s+){0,2}?(?:employees?|staff|workers|contractors?|insiders?)\b",
)
# Sentences about what attackers could do next with the data, or advice, are not the access vector.
ACCESS_BLOCKERS = alt(
    r"\bopportunit(?:y|ies)\b",
    r"\bcould\s+be\s+used\b",
    r"\bcan\s+be\s+used\b",
    r"\brisks?\s+of\b",
    r"\bexploit\s+the\s+(?:exposed|stolen|leaked)\b",
    r"\bbe\s+used\s+(?:in|for|to)\b",
    r"\btraining\b",
    r"\bsimulations?\b",
    r"\bawareness\b",
    r"\bshould\b",
    r"\bmust\b",
    r"\bwatch\s+(?:out\s+)?for\b",
    r"\bbeware\b",
    r"\bvigilan\w+\b",
    r"\bfollow[-\s]?up\b",
    r"\bdownstream\b",
    r"\bpersonali[sz]ed\s+fraud\b",
    r"\bthose\s+emails\b",
    r"\bscams?\b(?<!phishing\sscam)(?<!phishing\sscams)",
    r"\bcautious\b",
    r"\bwary\b",
    r"\bon\s+the\s+lookout\b",
)

# --- organisations and roles --------------------------------------------------------------------------------------
# A candidate name right after these is the victim of a breach ("a breach at X", "attacks on X, Y and Z").
VICTIM_LEFT = alt(
    r"(?:breach(?:es)?|hacks?|cyber[-\s]?attacks?|attacks?|intrusions?|incidents?|compromises?|leaks?)\s+"
    r"(?:at|on|of|against|affecting|targeting|involving|impacting|hitting)\s+(?:the\s+)?(?:\w+\s+){0,3}?$",
    r"(?:victims?|targets?|breached\s+companies|hit|affected|impacted|implicated|compromised)\b[^.;:]{0,40}?\b"
    r"(?:including|include[sd]?|like|such\s+as|namely|were|are)\s+(?:the\s+)?(?:\S+\s+(?:vendor|supplier|provider|"
    r"contractor|firm|company|giant|chain|retailer|bank|developer|maker)\s+)?$",
    # "Among the first tranche of names are fuel giant Shell", "Among those affected were the city's schools"
    r"\bamong\s+(?:the\s+|those\s+)?(?:[\w-]+\s+){0,4}?(?:victims|affected|impacted|targets|names|organi[sz]ations|"
    r"companies|firms|entities|customers|hit)\s+(?:\w+\s+){0,3}?(?:are|were|is|was)\s+(?:the\s+)?(?:[a-z-]+\s+){0,3}?$",
    # "Tens of thousands of staff at British Airways, BBC and Boots may have had their details stolen"
    r"\b(?:customers|users|members|clients|patients|employees|staff|workers|passengers|students|shoppers|guests|"
    r"subscribers|players|account\s+holders)\s+(?:at|of|from)\s+(?:the\s+)?$",
    # "it had stolen 190 gigabytes of data from Samsung"
    r"\b(?:stole|stolen|steal(?:ing|s)?|exfiltrated|took|taken|leaked)\s+(?:[\w$€£,.-]+\s+){0,8}?from\s+(?:the\s+)?$",
    r"(?:brands?|retailers?|companies|firms|compan(?:y|ies)|organi[sz]ations?|rivals?|competitors?|others?|names|"
    r"institutions|hoteliers|banks|hospitals|universities|schools|agencies|businesses|giants|entities|"
    r"(?:attacks|breaches|hacks|incidents))\s*(?:,|—|–|-)?\s*"
    r"(?:including|like|such\s+as)\s+(?:the\s+)?$",
    r"(?:hit|breached|hacked|targeted|compromised)\s+(?:the\s+)?$",
    r"(?:following|after|follows)\s+(?:similar\s+)?(?:incidents|attacks|breaches)\s+(?:at|on)\s+(?:competitors\s+)?(?:like\s+|such\s+as\s+)?$",
    r"(?:in|from)\s+the\s+$",
)
# The name qualifies the people whose data went: "Nine million easyJet passengers had their details accessed".
PEOPLE_OF_VICTIM = (
    r"^\s+(?:customers|users|members|clients|patients|employees|staff|passengers|students|shoppers|guests|"
    r"account\s+holders|subscribers|players)\b[^.;]{0,80}?\b(?:exposed|accessed|stolen|leaked|compromised|"
    r"breached|hacked|affected|impacted|caught\s+up)\b"
)
# Right after a name, its own breach: "Target after its 41 million-record breach"
SELF_BREACH_AFTER = (
    r"^\s+(?:after|following|over|since)\s+(?:its|their)\s+(?:[\w-]+\s+){0,4}?(?:data\s+)?"
    r"(?:breach|hack|cyber[-\s]?attack|attack|leak|incident)"
)
# Right after a candidate: it is the subject of a breach verb ("X suffered a data breach", "X's systems").
VICTIM_RIGHT = alt(
    r"^\s*(?:,[^,.;]{1,110},\s*|,\s*)?"
    # "Jones Day law firm had been attacked", "the government of Nova Scotia in Canada was also hit"
    r"(?:(?:[a-z-]+\s+)?(?:firm|company|bank|retailer|chain|provider|vendor|agency|university|hospital)\s+"
    r"|in\s+(?:the\s+)?\w+\s+(?=(?:has|have|had|was|were|is|are|also)\b))?"
    r"(?:who\s+|which\s+)?(?:has\s+|have\s+|had\s+|was\s+|were\s+|is\s+|are\s+|also\s+|recently\s+|"
    r"reportedly\s+|allegedly\s+|all\s+|both\s+|"
    r"just\s+|now\s+|itself\s+|publicly\s+|officially\s+|first\s+|later\s+|previously\s+)*"
    r"(?:suffer(?:ed|s|ing)?|disclos(?:ed|es|ing)|confirm(?:ed|s|ing)|announc(?:ed|es|ing)|reveal(?:ed|s|ing)"
    r"|report(?:ed|s|ing)?\s+(?:a|an|the|its)\s+(?:\w+\s+){0,2}(?:breach|incident|attack|hack|intrusion|compromise)"
    r"|report(?:ed|s)?\s+(?:\w+\s+){0,5}?that\s+(?:hackers|attackers|criminals|cyber\s*criminals|intruders|an?\s+unauthori[sz]ed"
    r"|someone|its\s+systems|it\s+had\s+been|customer\s+data)"
    r"|admit(?:ted|s)|detect(?:ed|s)|discover(?:ed|s)|experienc(?:ed|es|ing)|notif(?:ied|ies|ying)|warn(?:ed|s|ing)|"
    r"(?:been\s+)?(?:hit|breached|hacked|attacked|targeted|compromised|affected|impacted|victims?)|fell\s+victim|"
    r"lost|los(?:es|ing)|leaked|exposed|left\s+(?:an?\s+|its\s+|the\s+)?(?:\w+\s+){0,2}(?:database|server|bucket|data)|"
    r"began\s+notifying|investigat(?:ed|es|ing)|had\s+to|been\s+forced|(?:told|tells|informed|informs|emailed|e-mailed|alerted)\s+"
    r"(?:its\s+|all\s+|affected\s+|some\s+|certain\s+|many\s+)*(?:customers|users|members|clients|patients|shoppers|guests|passengers|students|staff)|"
    r"is\s+the\s+latest|became|becomes|joins|was\s+among|were\s+among|ha[sd]\s+(?:its|their)\s+(?:[\w-]+\s+){0,2}?(?:data|database|systems?|website)|"
    r"appears?\s+to\s+have)",
    r"^(?:'s|’s|s'|s’)\s+(?:\w+\s+){0,3}?(?:data\s+breach|breach|hack|cyber[-\s]?attack|attack|incident|systems?|"
    r"customers?|customer\s+data|data|database|users|network|servers?)",
    r"^\s*(?:data\s+)?(?:breach|hack|cyber[-\s]?attack|leak|security\s+incident|incident)\b",
    # "the settlement agreed by Target after its 41 million-record breach"
    SELF_BREACH_AFTER,
    r"^\s*\([^)]{1,20}\)\s*:",  # bullet "Name (Abbr):"
    r"^\s*:",  # bullet "Name:"
    PEOPLE_OF_VICTIM,
)
# A candidate in these frames is a source, a commentator or a vendor, not a victim.
NON_VICTIM_LEFT = alt(
    r"according\s+to\s+(?:the\s+)?$",
    r"(?:founder|CEO|chief\s+\w+\s+officer|head|director|advisor|adviser|analyst|researchers?|"
    r"spokesperson|expert|consultant|officer|president|professor)\s+(?:at|of|from|with)\s+(?:the\s+)?$",
    r"(?:firm|company|vendor|provider)\s+(?:called|named)\s+$",
    r"told\s+(?:the\s+)?$",
    r"(?:by|from|at|with)\s+(?:security\s+firm|researchers\s+at)\s+$",
    r"(?:targeting|via|through|using)\s+$",
    r"(?:researcher|analyst|expert|journalist|reporter|spokes(?:person|man|woman)|founder|CEO|CISO|CTO)\s+$",
)
NON_VICTIM_RIGHT = alt(
    r"^\s*(?:reported|said|says|wrote|notes?|noted|told|reports)\b(?![^.;]{0,20}?\b(?:that\s+)?(?:it|its|their|a|an|the\s+breach"
    r"|hackers?|attackers?|criminals?|intruders?|cyber\s*criminals?|someone|unauthori[sz]ed)\b)",
    r"^(?:'s|’s)\s+(?:founder|CEO|researchers?|analysts?|report|threat\s+intelligence|blog)",
    r"^\s*,\s*(?:a|an|the)\s+(?:\w+\s+){0,3}(?:cyber)?security\s+(?:firm|company|vendor|provider|researcher)",
    r"^\s*(?:researchers?|analysts?|experts?|spokes(?:person|man|woman))\b",
)
# Nouns that describe an organisation by what it makes or runs: in "the Call of Duty developer Activision" and
# "ChatGPT maker Veltrix" the name before the noun is a product, the one after it the organisation
# ("NHS vendor Advanced", "IT provider Accellion": the name before the noun is whom it serves)
DESCRIBING_HEADS = frozenset(
    "developer developers maker makers publisher owner operator creator manufacturer vendor supplier provider "
    "contractor".split()
)
# Words the tagger calls proper nouns that are never organisations in breach news.
NOT_ORG_WORDS = frozenset(
    """pii mfa sso api apis crm it ai gdpr ccpa hipaa sim ceo cto ciso cfo vpn otp url urls ip sms sql usd eur gbp
    dark web internet monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december summary update news report reports analysis breaking
    exclusive incident details timeline recommendations impact overview background conclusion share tweet
    data details information customers users hackers attackers company companies group groups details sector
    time date vector geography organization organisation discovery exfiltration persistence collection
    executive lessons learned indicators compromise response actions key takeaways takeaways read more related
    what why how who when where next important happening full report tl;dr faq mr mrs ms dr
    pin pins cvv cvc ssn ssns dob ids
    article articles section chapter clause paragraph k-12
    md5 md4 sha1 sha-1 sha256 sha-256 sha512 sha-512 sha2 sha-2 bcrypt scrypt argon2 pbkdf2 des 3des aes base64
    """.split()
)

# Words of report-template field labels ("- Discovery Date: Not specified", "- Initial Access: Unknown"): a bullet
# "Label: value" whose label uses them names a field, not an organisation. ATT&CK tactic names plus the fields of
# common incident-report templates.
FIELD_LABEL_WORDS = frozenset(
    """access accessed actions activity actor actors affected analysis assessment attack behavioral behavioural
    brand category collection command containment control cost country credential damage data date dates
    defense defence description details detection discovery eradication escalation evasion execution
    exfiltration financial geography impact incident indicators initial lateral lessons location method
    methodology motive movement network operational organization organisation overview persistence privilege
    reconnaissance records recovery reputational resource response scope sector severity source sources status
    summary tactics target techniques time timeline type vector victim what when where who why file files
    credit credits photo photos image images picture article key points note update updated editor caption video
    watch listen read related secret confidential classified
    """.split()
)
# A value that says nothing ("Not specified", "Unknown") is not a fact.
EMPTY_VALUE = (
    r"^\s*(?:not\s+(?:specified|disclosed|detailed|known|available|reported|applicable)|unknown|none|n/?a|tbd|-)\b"
)

# Organisations whose name says they regulate, police or judge: in breach news they act on a breach, they are not
# its victim (unless a sentence says they were breached, which outweighs this).
AUTHORITY_NAME = (
    r"\b(?:Commission|Commissioner(?:'s\s+Office)?|Regulator|Ombudsman|Police|Constabulary|Court|Prosecutor"
    r"|Attorney\s+General|Data\s+Protection\s+\w+|Supervisor)\b"
)

# A sentence that recalls an earlier breach ("This is not the first time...", "In 2021, the bank lost...").
RECALL_CUES = alt(
    r"not\s+the\s+first\s+time",
    r"previous\s+(?:breach|incident|attack|hack)",
    r"earlier\s+(?:breach|incident|attack|hack)",
    r"prior\s+(?:breach|incident|attack)",
    r"(?:\d+|two|three|four|five|six|several|many)\s+years?\s+(?:ago|earlier|before)",
    r"that\s+(?:incident|breach|attack)",
    r"the\s+(?:older|earlier|previous|\d{4})\s+(?:breach|incident|attack|hack)",
    r"(?:also|once)\s+(?:been\s+)?(?:breached|hacked)\s+in",
    r"second\s+(?:data\s+)?breach",
    r"again",
)
# Textual parent/brand relations: (pattern, which named group is the parent).
PARENT_PATTERNS = (
    r"(?P<parent>{org})\W+(?:\w+\W+){0,3}?(?:its|their)\s+(?:[\w-]+\s+){0,2}(?:brand|subsidiary|division|unit|chain|label|business|arm)\s+(?P<child>{org})",
    r"(?P<parent>{org}),?\s+(?:the\s+)?(?:parent(?:\s+company)?|owner|owners)\s+of\s+(?P<child>{org})",
    r"(?P<child>{org}),?\s+(?:which\s+is\s+)?(?:owned\s+by|a\s+(?:subsidiary|unit|brand|division)\s+of|part\s+of)\s+(?P<parent>{org})",
    r"(?P<parent>{org})[-\s]owned\s+(?P<child>{org})",
    r"(?P<child>{org})(?:'s|’s)\s+parent(?:\s+company|\s+group)?,?\s+(?P<parent>{org})",
)

# Last words that make a multi-word name an organisation even when the tagger calls it a person ("Quarry Lane Books").
ORG_HEAD_WORDS = frozenset(
    """bank books foods food stores store hotels hotel group holdings energy water health healthcare travel airlines
    airways insurance logistics media games studios labs software systems technologies technology tech networks
    telecom mobile pharmacy clinic hospital university college school council bakery brewing motors auto motors
    partners capital finance financial services solutions retail fashion home homes sports outdoor market markets
    ltd limited inc plc llc corp co company gmbh sa ag nv bv""".split()
)
