"""Food-service business names per industry, site names for multi-site accounts, and web domains."""

from __future__ import annotations

from store.demo.chance import one
from store.demo.names import LAST_NAMES, slug

_FLAVOURS = (
    "Blue Heron", "Marigold", "Copper Pot", "Juniper", "Saltbox", "Olive & Vine", "Red Barn", "Little Fig",
    "Harbor", "Ember", "Wild Thyme", "Golden Spoon", "Brick Oven", "Cedar", "Magnolia", "Smoke & Oak",
    "Lantern", "Sage", "Hearth", "Basil & Bay", "Riverside", "Two Forks", "Pepper Tree", "Lemon Grove",
    "Iron Skillet", "Stone Mill", "Tidewater", "Paprika", "Saffron", "Brown Butter", "Fennel", "Acorn",
    "Bluebird", "Crescent", "Driftwood", "Maple Leaf", "Old Town", "Parkside", "Sunflower", "Windmill",
    "Black Pepper", "Honeycomb", "Wildflower", "Greenleaf", "Silver Fork", "Copper Kettle", "Rosemary",
    "Bay Laurel", "Chestnut", "Persimmon", "Pomegranate", "Tamarind", "Cardamom", "Clover", "Anchor",
)
_RESTAURANT_KINDS = (
    "Bistro", "Kitchen", "Grill", "Trattoria", "Tavern", "Brasserie", "Taqueria", "Steakhouse", "Diner",
    "Café", "Eatery", "Oyster Bar", "Noodle House", "Smokehouse", "Pizzeria", "Cantina", "Bar & Grill",
    "Table", "Chophouse", "Sushi Bar", "Ramen Bar", "Crêperie", "Gastropub", "Cocina",
)
_QSR_PREFIXES = (
    "Rocket", "Sunny Side", "Big Sky", "Happy", "Speedy", "Lucky", "Flame", "Urban", "Crispy", "Golden",
    "Main Street", "Red Rooster", "Blue Moon", "Hometown", "Firehouse", "Dockside", "Prairie", "Canyon",
    "Coastal", "Gridiron", "Jet", "Neon", "Pronto", "Zippy",
)
_QSR_FOODS = (
    "Burger", "Taco", "Chicken", "Wings", "Pizza", "Subs", "Bagels", "Poke", "Bowls", "Noodles",
    "Biscuits", "Gyros", "Dogs", "Fries", "Smoothies", "Empanadas",
)
_QSR_ENDINGS = ("", "", " Co.", " Express", " Shack", " Joint", " Kitchen", " Stop")
_PLACES = (
    "Harborview", "Lakeshore", "Grand Meridian", "Parkview", "Summit", "Riverside", "Cityline", "Bayfront",
    "Canyon Ridge", "Old Mill", "Union Square", "Copperleaf", "Willow Creek", "Stonebridge", "Fox Hollow",
    "Eagle Point", "Silver Lake", "Cedar Crest", "Briarwood", "Oak Hollow", "Pine Ridge", "Kingsley",
    "Ashford", "Brookside", "Fairhaven", "Northgate", "Westfield", "Laurel Heights", "Seabrook", "Highland Park",
)
_HOTEL_KINDS = (
    "Hotel", "Inn & Suites", "Resort & Spa", "Hotel & Conference Center", "Lodge", "Boutique Hotel", "Suites",
)
_TOWNS = (
    "Maple Grove", "Cedar Falls", "Fairview", "Oak Ridge", "Springfield", "Franklin", "Greenville", "Clinton",
    "Madison", "Georgetown", "Arlington", "Salem", "Riverton", "Lakewood", "Bristol", "Dover", "Hudson",
    "Auburn", "Milford", "Newport", "Ashland", "Burlington", "Chester", "Dayton", "Easton", "Fulton",
    "Glendale", "Hamilton", "Jackson", "Kingston", "Lebanon", "Marion", "Norwood", "Oxford", "Plymouth",
    "Quincy", "Richmond", "Shelby", "Troy", "Union City", "Vernon", "Warren", "Westbrook", "Yorktown",
    "Bay City", "Clearwater", "Elmwood", "Forest Hills", "Granite Bay", "Harrison", "Linden", "Millbrook",
)
_COUNTIES = (
    "Adams", "Baker", "Benton", "Boone", "Carroll", "Clark", "Clay", "Crawford", "Douglas", "Fayette",
    "Franklin", "Grant", "Greene", "Hancock", "Henry", "Jefferson", "Knox", "Lake", "Lawrence", "Lee",
    "Lincoln", "Logan", "Madison", "Marion", "Monroe", "Montgomery", "Morgan", "Perry", "Pike", "Polk",
    "Putnam", "Scott", "Shelby", "Union", "Warren", "Washington", "Wayne",
)
_SAINTS = (
    "St. Luke's", "St. Mary's", "St. Joseph's", "St. Vincent's", "Mercy", "Good Samaritan", "Providence",
    "Sacred Heart", "St. Francis", "Holy Cross", "St. Elizabeth", "Baptist",
)
_CORPS = (
    "Northwind", "Bluepeak", "Meridian", "Atlas", "Keystone", "Pinnacle", "Horizon", "Ironwood", "Lumen",
    "Vantage", "Crestline", "Evergreen", "Summitry", "Brightline", "Cobalt", "Redwood",
)
_CORP_KINDS = ("Technologies", "Insurance", "Bank", "Logistics", "Health", "Energy", "Analytics", "Aerospace")
_SENIOR_WORDS = ("Sunrise", "Golden Oaks", "Willow", "Evergreen", "Heritage", "Magnolia", "Lakeview", "Autumn")
_CATER_WORDS = ("Feast", "Gather", "Silver Tray", "Long Table", "Garden Party", "Fork & Knife", "Banquet")


def _restaurant(rnd) -> str:
    r = rnd()
    if r < 0.55:
        return f"{one(rnd, _FLAVOURS)} {one(rnd, _RESTAURANT_KINDS)}"
    if r < 0.85:
        return f"{one(rnd, LAST_NAMES)}'s {one(rnd, _RESTAURANT_KINDS)}"
    return f"The {one(rnd, _FLAVOURS)} {one(rnd, _RESTAURANT_KINDS)}"


def _qsr(rnd) -> str:
    return f"{one(rnd, _QSR_PREFIXES)} {one(rnd, _QSR_FOODS)}{one(rnd, _QSR_ENDINGS)}"


def _hotel(rnd) -> str:
    if rnd() < 0.8:
        return f"{one(rnd, _PLACES)} {one(rnd, _HOTEL_KINDS)}"
    return f"The {one(rnd, LAST_NAMES)} Hotel"


def _school(rnd) -> str:
    r = rnd()
    if r < 0.3:
        return f"{one(rnd, _TOWNS)} Unified School District"
    if r < 0.55:
        return f"{one(rnd, _COUNTIES)} County Public Schools"
    if r < 0.75:
        return f"{one(rnd, _TOWNS)} Independent School District"
    if r < 0.9:
        return f"{one(rnd, _TOWNS)} City Schools"
    return f"{one(rnd, _TOWNS)} Area School District"


def _hospital(rnd) -> str:
    r = rnd()
    if r < 0.35:
        return f"{one(rnd, _SAINTS)} Medical Center"
    if r < 0.6:
        return f"{one(rnd, _TOWNS)} Regional Hospital"
    if r < 0.8:
        return f"{one(rnd, _TOWNS)} Memorial Hospital"
    if r < 0.9:
        return f"{one(rnd, LAST_NAMES)} Children's Hospital"
    return f"{one(rnd, _COUNTIES)} County Health System"


def _caterer(rnd) -> str:
    r = rnd()
    if r < 0.4:
        return f"{one(rnd, LAST_NAMES)} Catering Co."
    if r < 0.7:
        return f"{one(rnd, _CATER_WORDS)} Events & Catering"
    return f"{one(rnd, _FLAVOURS)} Catering"


def _grocery(rnd) -> str:
    r = rnd()
    if r < 0.35:
        return f"{one(rnd, LAST_NAMES)}'s Fresh Market"
    if r < 0.55:
        return f"{one(rnd, _TOWNS)} Food Co-op"
    if r < 0.8:
        return f"{one(rnd, _FLAVOURS)} Grocers"
    return f"{one(rnd, _FLAVOURS)} Market & Deli"


def _distributor(rnd) -> str:
    r = rnd()
    if r < 0.4:
        return f"{one(rnd, _PLACES)} Provisions"
    if r < 0.7:
        return f"{one(rnd, LAST_NAMES)} Foodservice Supply"
    return f"{one(rnd, _TOWNS)} Produce Wholesale"


def _university(rnd) -> str:
    r = rnd()
    if r < 0.35:
        return f"{one(rnd, _TOWNS)} State University Dining"
    if r < 0.65:
        return f"{one(rnd, LAST_NAMES)} College Dining Services"
    if r < 0.85:
        return f"{one(rnd, _TOWNS)} Community College"
    return f"University of {one(rnd, _TOWNS)} Dining"


def _senior(rnd) -> str:
    r = rnd()
    if r < 0.4:
        return f"{one(rnd, _SENIOR_WORDS)} Senior Living"
    if r < 0.65:
        return f"The Terraces at {one(rnd, _TOWNS)}"
    if r < 0.85:
        return f"{one(rnd, _PLACES)} Retirement Community"
    return f"{one(rnd, _SENIOR_WORDS)} Assisted Living"


def _corporate(rnd) -> str:
    r = rnd()
    corp = f"{one(rnd, _CORPS)} {one(rnd, _CORP_KINDS)}"
    if r < 0.5:
        return f"{corp} Campus Dining"
    if r < 0.8:
        return f"{corp} HQ Café"
    return f"{corp} Corporate Dining"


def _other(rnd) -> str:
    r = rnd()
    if r < 0.25:
        return f"{one(rnd, _TOWNS)} Stadium Concessions"
    if r < 0.45:
        return f"{one(rnd, _TOWNS)} Convention Center"
    if r < 0.6:
        return f"{one(rnd, _PLACES)} Cruise Galley Services"
    if r < 0.8:
        return f"{one(rnd, _COUNTIES)} County Correctional Food Services"
    return f"{one(rnd, _TOWNS)} Zoo Cafés"


NAME_MAKERS = {
    "restaurant": _restaurant,
    "qsr_chain": _qsr,
    "hotel": _hotel,
    "school_district": _school,
    "hospital": _hospital,
    "caterer": _caterer,
    "grocery": _grocery,
    "distributor": _distributor,
    "university": _university,
    "senior_living": _senior,
    "corporate_dining": _corporate,
    "other": _other,
}

# Accounts whose names exercise non-ASCII rendering: (name, industry, size, (city, state)).
SHOWCASE_ACCOUNTS = (
    ("Café Étoilé Brasserie", "restaurant", "small", ("Montréal", "QC")),
    ("Panadería Doña Inés", "caterer", "medium", ("San Antonio", "TX")),
    ("金龙 Golden Dragon Restaurant", "restaurant", "medium", ("San Francisco", "CA")),
)

_SITE_NAMES = {
    "qsr_chain": ("Store #{n}", "Drive-Thru #{n}", "{city} Commissary"),
    "grocery": ("{city} Store", "Store #{n}", "Distribution Center"),
    "hotel": ("{city} Airport", "{city} Downtown", "Conference Center"),
    "hospital": ("{city} Campus", "Outpatient Pavilion", "Rehabilitation Center"),
    "school_district": ("{town} Elementary", "{town} High School", "Central Kitchen", "{town} Middle School"),
    "university": ("{last} Hall Dining", "Student Union Food Court", "Athletics Center"),
    "senior_living": ("{town} Residence", "Memory Care Wing", "{city} Community"),
    "caterer": ("Central Commissary", "{city} Event Kitchen"),
    "corporate_dining": ("Building {n} Café", "{city} Office Cafeteria"),
    "restaurant": ("{city} Location", "Downtown", "Airport Concourse B"),
    "distributor": ("{city} Warehouse", "Cross-Dock {n}"),
    "other": ("Main Concourse", "North Stands", "{city} Annex"),
}


def site_name(rnd, industry: str, city_name: str) -> str:
    pattern = one(rnd, _SITE_NAMES[industry])
    return pattern.format(
        n=10 + int(rnd() * 990), city=city_name, town=one(rnd, _TOWNS), last=one(rnd, LAST_NAMES)
    )


_TLD = {"school_district": "k12.example", "university": "edu.example", "hospital": "org.example"}
_DROP_WORDS = {"the", "co", "and", "of", "services", "dining", "company"}


def domain_for(name: str, industry: str) -> str:
    """A web domain under the reserved .example TLD (demo emails must never reach a real inbox)."""
    words = slug(name).split("-")
    label = "".join(w for w in words if w and w not in _DROP_WORDS)[:40] or "account"
    return f"{label}.{_TLD.get(industry, 'example')}"
