"""The professional skills taxonomy: the vocabulary members give and get in.

A member's card says what they can *give* (expertise) and what they want to
*get* (needs); matching works only if both sides use the same words. This module
is that shared vocabulary, the way a skills graph underlies LinkedIn or a
category list underlies a timebank:

- twelve **domains** (marketing, engineering, design, ...), each a set of skill
  tags, a few headline templates, and the domains its people most often need
  help from (an engineer-founder needs fundraising, a marketer needs data);
- **background** tags: companies, schools and industries a member comes from,
  which is how micro-networks (ex-Stripe, Waterloo alumni, climate tech) form;
- **cities**, each with its IANA time zone and the locale its names come from.

Every tag is already in the canonical spelling `domain.profiles.normalize_tag`
produces ("b2b-seo", "fp&a", "node.js"), so a tag typed by a member and a tag
from here compare equal. Each skill belongs to exactly one domain, so
`DOMAIN_OF_SKILL` can tell which part of the network a need points to.

Pure data and two tiny helpers; the demo-data seeder and (later) tag
suggestions read it. It never touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Domain:
    """A field of work: its skills, how its people describe themselves, and
    which domains they usually need help from."""

    key: str
    label: str
    skills: tuple[str, ...]
    headlines: tuple[str, ...]  # str.format templates: {company}, {industry}
    needs: tuple[str, ...]
    weight: int = 1  # how common this domain is among members


@dataclass(frozen=True)
class City:
    name: str
    country: str
    timezone: str  # IANA name
    locale: str  # the Faker locale member names are drawn from
    weight: int = 1

    @property
    def label(self) -> str:
        return f"{self.name}, {self.country}"


_DOMAINS = (
    Domain(
        "marketing",
        "Marketing",
        (
            "b2b-seo", "content-marketing", "demand-generation", "paid-acquisition",
            "lifecycle-marketing", "email-marketing", "product-marketing",
            "brand-strategy", "event-marketing", "community-building",
            "marketing-analytics", "positioning", "growth-loops",
        ),
        (
            "Head of Growth at {company}",
            "B2B marketer helping {industry} startups find their first 1,000 customers",
            "Fractional CMO for {industry} companies",
            "Demand generation lead at {company}",
            "Product marketer, ex-{company}",
            "Brand and community marketer in {industry}",
        ),
        ("data", "content", "design", "sales", "engineering"),
        weight=3,
    ),
    Domain(
        "engineering",
        "Engineering",
        (
            "python", "react", "typescript", "go", "rust", "postgresql",
            "system-design", "api-design", "kubernetes", "aws", "devops",
            "mobile-ios", "android", "node.js", "security-engineering",
        ),
        (
            "Staff engineer at {company}",
            "Founding engineer building {industry} infrastructure",
            "Backend engineer at {company} · distributed systems",
            "Full-stack developer, ex-{company}",
            "Engineering manager at {company}",
            "CTO of a small {industry} startup",
        ),
        ("fundraising", "product", "marketing", "people", "design"),
        weight=4,
    ),
    Domain(
        "design",
        "Design",
        (
            "product-design", "user-research", "design-systems", "figma",
            "brand-identity", "interaction-design", "prototyping", "accessibility",
            "visual-design", "illustration", "motion-design", "usability-testing",
            "information-architecture",
        ),
        (
            "Product designer at {company}",
            "Design lead for {industry} products",
            "Independent brand designer · identities for {industry} startups",
            "UX researcher, ex-{company}",
            "Design systems lead at {company}",
        ),
        ("product", "engineering", "marketing", "legal"),
        weight=2,
    ),
    Domain(
        "product",
        "Product",
        (
            "product-strategy", "roadmapping", "pricing-strategy",
            "product-discovery", "user-interviews", "okrs", "product-analytics",
            "jobs-to-be-done", "prd-writing", "onboarding-flows",
            "experimentation", "product-led-growth", "platform-products",
        ),
        (
            "Senior PM at {company}",
            "Head of Product for a {industry} scale-up",
            "Product manager, ex-{company}",
            "Group PM at {company} · growth and onboarding",
            "Product coach for early {industry} teams",
        ),
        ("data", "design", "engineering", "sales"),
        weight=3,
    ),
    Domain(
        "sales",
        "Sales",
        (
            "enterprise-sales", "outbound-prospecting", "sales-playbooks",
            "discovery-calls", "negotiation", "account-management", "partnerships",
            "channel-sales", "sales-hiring", "crm-setup", "cold-email",
            "customer-success", "sponsorship-sales",
        ),
        (
            "Account executive at {company}",
            "First sales hire at a {industry} startup",
            "VP Sales, ex-{company}",
            "Partnerships lead at {company}",
            "Helping founders close their first enterprise deals in {industry}",
        ),
        ("marketing", "legal", "finance", "product"),
        weight=2,
    ),
    Domain(
        "finance",
        "Finance",
        (
            "financial-modeling", "fp&a", "unit-economics", "cash-flow-planning",
            "saas-metrics", "bookkeeping", "tax-planning", "cap-table-management",
            "budgeting", "audit-readiness", "r&d-tax-credits", "treasury",
            "revenue-recognition",
        ),
        (
            "Fractional CFO for {industry} startups",
            "FP&A lead at {company}",
            "Finance manager, ex-{company}",
            "Startup accountant · {industry}",
        ),
        ("data", "legal", "fundraising", "operations"),
    ),
    Domain(
        "legal",
        "Legal",
        (
            "contract-review", "gdpr", "employment-law", "ip-protection",
            "trademarks", "saas-agreements", "terms-of-service", "incorporation",
            "stock-options", "data-processing-agreements", "regulatory-compliance",
            "open-source-licensing",
        ),
        (
            "Startup lawyer · {industry} and SaaS",
            "Product counsel at {company}",
            "Privacy lawyer, ex-{company}",
            "General counsel for a {industry} scale-up",
        ),
        ("marketing", "sales", "engineering", "people"),
    ),
    Domain(
        "people",
        "People & HR",
        (
            "hiring", "technical-recruiting", "interviewing", "employee-onboarding",
            "compensation-bands", "performance-reviews", "remote-culture",
            "management-coaching", "team-building", "hr-policies",
            "diversity-hiring", "employer-branding", "conflict-resolution",
        ),
        (
            "Head of People at {company}",
            "Technical recruiter, ex-{company}",
            "People partner for {industry} startups",
            "Leadership coach for first-time managers",
        ),
        ("legal", "finance", "content", "data"),
    ),
    Domain(
        "data",
        "Data",
        (
            "sql", "dbt", "data-modeling", "machine-learning", "a-b-testing",
            "dashboards", "data-engineering", "llm-applications", "forecasting",
            "analytics-engineering", "statistics", "data-visualization", "nlp",
        ),
        (
            "Data scientist at {company}",
            "Analytics engineer building the modern data stack for {industry}",
            "ML engineer, ex-{company}",
            "Head of Data at a {industry} scale-up",
        ),
        ("engineering", "product", "content", "fundraising"),
        weight=2,
    ),
    Domain(
        "operations",
        "Operations",
        (
            "process-design", "vendor-management", "supply-chain",
            "project-management", "event-operations", "procurement",
            "support-operations", "internal-tools", "no-code-automation",
            "international-expansion", "logistics", "business-operations",
        ),
        (
            "COO at a {industry} startup",
            "Operations lead at {company}",
            "BizOps, ex-{company}",
            "Chief of staff in {industry}",
        ),
        ("finance", "people", "engineering", "legal"),
    ),
    Domain(
        "fundraising",
        "Founders & fundraising",
        (
            "pitch-deck-review", "series-a-fundraising", "seed-fundraising",
            "investor-outreach", "term-sheet-negotiation", "angel-investing",
            "fundraising-strategy", "grant-writing", "due-diligence",
            "board-management", "investor-updates", "valuation",
            "accelerator-applications", "cofounder-matching",
        ),
        (
            "Founder & CEO building in {industry}",
            "Second-time founder, ex-{company}",
            "Angel investor in {industry} · former operator at {company}",
            "Venture partner focused on {industry}",
            "Founder in residence, ex-{company}",
        ),
        ("sales", "legal", "finance", "marketing", "people"),
        weight=2,
    ),
    Domain(
        "content",
        "Content & communications",
        (
            "copywriting", "technical-writing", "newsletter-growth", "podcasting",
            "video-production", "ghostwriting", "editing", "social-media",
            "storytelling", "speechwriting", "public-speaking",
            "linkedin-content", "media-relations",
        ),
        (
            "Writer and editor for {industry} brands",
            "Content lead at {company}",
            "Newsletter author on {industry}",
            "Communications lead, ex-{company}",
            "Podcast host covering {industry}",
        ),
        ("marketing", "design", "data", "fundraising"),
    ),
)  # fmt: skip

DOMAINS: dict[str, Domain] = {d.key: d for d in _DOMAINS}
DOMAIN_OF_SKILL: dict[str, str] = {skill: d.key for d in _DOMAINS for skill in d.skills}

# Background tags, each with the label a headline or bio shows.
COMPANIES: dict[str, str] = {
    "stripe": "Stripe", "shopify": "Shopify", "google": "Google",
    "microsoft": "Microsoft", "amazon": "Amazon", "salesforce": "Salesforce",
    "hubspot": "HubSpot", "atlassian": "Atlassian", "spotify": "Spotify",
    "airbnb": "Airbnb", "notion": "Notion", "figma-inc": "Figma",
    "datadog": "Datadog", "twilio": "Twilio", "canva": "Canva",
    "klarna": "Klarna", "revolut": "Revolut", "monzo": "Monzo",
    "adyen": "Adyen", "zalando": "Zalando", "sap": "SAP",
    "booking.com": "Booking.com", "mercado-libre": "Mercado Libre",
    "nubank": "Nubank", "flutterwave": "Flutterwave", "paystack": "Paystack",
    "infosys": "Infosys", "gitlab": "GitLab", "mongodb": "MongoDB",
    "snowflake": "Snowflake", "zendesk": "Zendesk", "intercom": "Intercom",
    "deloitte": "Deloitte", "mckinsey": "McKinsey", "accenture": "Accenture",
}  # fmt: skip
SCHOOLS: dict[str, str] = {
    "stanford": "Stanford", "mit": "MIT", "uc-berkeley": "UC Berkeley",
    "harvard-business-school": "Harvard Business School",
    "carnegie-mellon": "Carnegie Mellon", "university-of-waterloo": "Waterloo",
    "university-of-toronto": "University of Toronto", "oxford": "Oxford",
    "cambridge": "Cambridge", "imperial-college": "Imperial College",
    "lse": "LSE", "central-saint-martins": "Central Saint Martins",
    "insead": "INSEAD", "hec-paris": "HEC Paris", "tu-munich": "TU Munich",
    "eth-zurich": "ETH Zurich", "kth": "KTH", "iit-bombay": "IIT Bombay",
    "iit-delhi": "IIT Delhi", "university-of-lagos": "University of Lagos",
    "university-of-nairobi": "University of Nairobi",
    "universidade-de-sao-paulo": "Universidade de São Paulo",
    "tec-de-monterrey": "Tec de Monterrey",
    "trinity-college-dublin": "Trinity College Dublin",
}  # fmt: skip
INDUSTRIES: dict[str, str] = {
    "saas": "SaaS", "fintech": "fintech", "healthtech": "health tech",
    "edtech": "edtech", "climate-tech": "climate tech",
    "e-commerce": "e-commerce", "marketplaces": "marketplace",
    "developer-tools": "developer tools", "cybersecurity": "cybersecurity",
    "artificial-intelligence": "AI", "media": "media", "gaming": "gaming",
    "mobility": "mobility", "proptech": "proptech", "biotech": "biotech",
    "nonprofit": "nonprofit", "consumer-apps": "consumer app",
    "hardware": "hardware", "govtech": "govtech", "insurtech": "insurtech",
}  # fmt: skip

CITIES: tuple[City, ...] = (
    City("San Francisco", "USA", "America/Los_Angeles", "en_US", 4),
    City("New York", "USA", "America/New_York", "en_US", 4),
    City("Austin", "USA", "America/Chicago", "en_US", 2),
    City("Seattle", "USA", "America/Los_Angeles", "en_US", 2),
    City("Boston", "USA", "America/New_York", "en_US", 2),
    City("Chicago", "USA", "America/Chicago", "en_US"),
    City("Toronto", "Canada", "America/Toronto", "en_CA", 2),
    City("Vancouver", "Canada", "America/Vancouver", "en_CA"),
    City("Mexico City", "Mexico", "America/Mexico_City", "es_MX"),
    City("São Paulo", "Brazil", "America/Sao_Paulo", "pt_BR", 2),
    City("Buenos Aires", "Argentina", "America/Argentina/Buenos_Aires", "es_AR"),
    City("London", "UK", "Europe/London", "en_GB", 4),
    City("Manchester", "UK", "Europe/London", "en_GB"),
    City("Dublin", "Ireland", "Europe/Dublin", "en_IE"),
    City("Berlin", "Germany", "Europe/Berlin", "de_DE", 3),
    City("Munich", "Germany", "Europe/Berlin", "de_DE"),
    City("Paris", "France", "Europe/Paris", "fr_FR", 2),
    City("Amsterdam", "Netherlands", "Europe/Amsterdam", "nl_NL", 2),
    City("Stockholm", "Sweden", "Europe/Stockholm", "sv_SE"),
    City("Warsaw", "Poland", "Europe/Warsaw", "pl_PL"),
    City("Madrid", "Spain", "Europe/Madrid", "es_ES"),
    City("Lisbon", "Portugal", "Europe/Lisbon", "pt_PT"),
    City("Lagos", "Nigeria", "Africa/Lagos", "en_NG", 2),
    City("Nairobi", "Kenya", "Africa/Nairobi", "en_KE"),
    City("Bengaluru", "India", "Asia/Kolkata", "en_IN", 3),
    City("Singapore", "Singapore", "Asia/Singapore", "en_US"),
    City("Sydney", "Australia", "Australia/Sydney", "en_AU"),
)

# Two sentences of a bio: what I do, then what I give and what I want.
BIO_OPENERS: tuple[str, ...] = (
    "I've spent {years} years in {industry}, most recently at {company}, "
    "mostly on {give1} and {give2}.",
    "{years} years of {domain} work across {industry} startups and {company}.",
    "Based in {city}, I work on {give1} for {industry} teams.",
    "Before going independent I led {give1} at {company}.",
)
BIO_CLOSERS: tuple[str, ...] = (
    "Happy to help with {give2}; right now I'm looking for advice on {get1}.",
    "Ask me about {give1} — and if you know {get1} well, I'd love to trade notes.",
    "I hold office hours on {give2} and I'm learning {get1}.",
    "Glad to review your {give1} plans; I could use a hand with {get1}.",
)

# How a tag reads in a sentence when word-by-word lowercase is wrong.
_LABELS = {
    "a-b-testing": "A/B testing", "series-a-fundraising": "Series A fundraising",
    "r&d-tax-credits": "R&D tax credits", "node.js": "Node.js",
    "react": "React", "typescript": "TypeScript", "python": "Python",
    "go": "Go", "rust": "Rust", "postgresql": "PostgreSQL",
    "kubernetes": "Kubernetes", "figma": "Figma", "android": "Android",
    "mobile-ios": "iOS development", "linkedin-content": "LinkedIn content",
    "okrs": "OKRs", "prd-writing": "PRD writing", "dbt": "dbt",
}  # fmt: skip
_ACRONYMS = {
    "seo": "SEO", "b2b": "B2B", "api": "API", "aws": "AWS", "crm": "CRM",
    "fp&a": "FP&A", "gdpr": "GDPR", "ip": "IP", "hr": "HR", "llm": "LLM",
    "nlp": "NLP", "saas": "SaaS", "sql": "SQL", "ml": "ML",
}  # fmt: skip


def skill_label(tag: str) -> str:
    """How a tag reads inside a sentence: "b2b-seo" -> "B2B SEO"."""
    if tag in _LABELS:
        return _LABELS[tag]
    return " ".join(_ACRONYMS.get(word, word) for word in tag.split("-"))


def all_skills() -> list[str]:
    """Every skill tag, domain by domain."""
    return [skill for domain in _DOMAINS for skill in domain.skills]


def background_tags() -> list[str]:
    """Every company, school and industry tag."""
    return [*COMPANIES, *SCHOOLS, *INDUSTRIES]
