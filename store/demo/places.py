"""Where accounts are: cities with state, sales region, ZIP prefix and area code; street names."""

from __future__ import annotations

from dataclasses import dataclass

REGIONS = ("Northeast", "South", "Midwest", "West")


@dataclass(frozen=True)
class City:
    name: str
    state: str
    region: str
    postal_prefix: str  # US: first three ZIP digits; Canada: forward sortation area
    area_code: str
    weight: int = 2
    country: str = "United States"


CITIES = (
    City("New York", "NY", "Northeast", "100", "212", 6),
    City("Brooklyn", "NY", "Northeast", "112", "718", 4),
    City("Buffalo", "NY", "Northeast", "142", "716"),
    City("Boston", "MA", "Northeast", "021", "617", 4),
    City("Worcester", "MA", "Northeast", "016", "508"),
    City("Providence", "RI", "Northeast", "029", "401"),
    City("Hartford", "CT", "Northeast", "061", "860"),
    City("New Haven", "CT", "Northeast", "065", "203"),
    City("Philadelphia", "PA", "Northeast", "191", "215", 4),
    City("Pittsburgh", "PA", "Northeast", "152", "412", 3),
    City("Newark", "NJ", "Northeast", "071", "973"),
    City("Jersey City", "NJ", "Northeast", "073", "201"),
    City("Baltimore", "MD", "Northeast", "212", "410", 3),
    City("Washington", "DC", "Northeast", "200", "202", 3),
    City("Portland", "ME", "Northeast", "041", "207", 1),
    City("Burlington", "VT", "Northeast", "054", "802", 1),
    City("Atlanta", "GA", "South", "303", "404", 5),
    City("Savannah", "GA", "South", "314", "912", 1),
    City("Miami", "FL", "South", "331", "305", 4),
    City("Orlando", "FL", "South", "328", "407", 3),
    City("Tampa", "FL", "South", "336", "813", 3),
    City("Charlotte", "NC", "South", "282", "704", 3),
    City("Raleigh", "NC", "South", "276", "919", 2),
    City("Charleston", "SC", "South", "294", "843", 2),
    City("Nashville", "TN", "South", "372", "615", 3),
    City("Memphis", "TN", "South", "381", "901", 2),
    City("Richmond", "VA", "South", "232", "804", 2),
    City("Louisville", "KY", "South", "402", "502", 2),
    City("Birmingham", "AL", "South", "352", "205", 2),
    City("New Orleans", "LA", "South", "701", "504", 3),
    City("Houston", "TX", "South", "770", "713", 5),
    City("Dallas", "TX", "South", "752", "214", 5),
    City("Austin", "TX", "South", "787", "512", 4),
    City("San Antonio", "TX", "South", "782", "210", 3),
    City("Oklahoma City", "OK", "South", "731", "405", 2),
    City("Chicago", "IL", "Midwest", "606", "312", 6),
    City("Evanston", "IL", "Midwest", "602", "847", 1),
    City("Milwaukee", "WI", "Midwest", "532", "414", 2),
    City("Madison", "WI", "Midwest", "537", "608", 2),
    City("Minneapolis", "MN", "Midwest", "554", "612", 3),
    City("St. Paul", "MN", "Midwest", "551", "651", 2),
    City("Detroit", "MI", "Midwest", "482", "313", 3),
    City("Grand Rapids", "MI", "Midwest", "495", "616", 2),
    City("Cleveland", "OH", "Midwest", "441", "216", 3),
    City("Columbus", "OH", "Midwest", "432", "614", 3),
    City("Cincinnati", "OH", "Midwest", "452", "513", 2),
    City("Indianapolis", "IN", "Midwest", "462", "317", 3),
    City("St. Louis", "MO", "Midwest", "631", "314", 3),
    City("Kansas City", "MO", "Midwest", "641", "816", 3),
    City("Omaha", "NE", "Midwest", "681", "402", 2),
    City("Des Moines", "IA", "Midwest", "503", "515", 2),
    City("Wichita", "KS", "Midwest", "672", "316", 1),
    City("Los Angeles", "CA", "West", "900", "213", 6),
    City("San Diego", "CA", "West", "921", "619", 4),
    City("San Francisco", "CA", "West", "941", "415", 4),
    City("Oakland", "CA", "West", "946", "510", 2),
    City("San Jose", "CA", "West", "951", "408", 3),
    City("Sacramento", "CA", "West", "958", "916", 2),
    City("Fresno", "CA", "West", "937", "559", 2),
    City("Seattle", "WA", "West", "981", "206", 4),
    City("Spokane", "WA", "West", "992", "509", 1),
    City("Portland", "OR", "West", "972", "503", 3),
    City("Denver", "CO", "West", "802", "303", 4),
    City("Boulder", "CO", "West", "803", "720", 1),
    City("Phoenix", "AZ", "West", "850", "602", 4),
    City("Tucson", "AZ", "West", "857", "520", 2),
    City("Las Vegas", "NV", "West", "891", "702", 3),
    City("Salt Lake City", "UT", "West", "841", "801", 2),
    City("Albuquerque", "NM", "West", "871", "505", 2),
    City("Boise", "ID", "West", "837", "208", 1),
    City("Honolulu", "HI", "West", "968", "808", 1),
    City("Toronto", "ON", "Northeast", "M5V", "416", 1, "Canada"),
    City("Montréal", "QC", "Northeast", "H2X", "514", 1, "Canada"),
    City("Vancouver", "BC", "West", "V6B", "604", 1, "Canada"),
)

CITY_BY_NAME = {(c.name, c.state): c for c in CITIES}

STREET_NAMES = (
    "Main", "Oak", "Maple", "Cedar", "Elm", "Pine", "Washington", "Lake", "Hill", "Park",
    "Market", "Church", "Spring", "Union", "Water", "Front", "Bridge", "Mill", "River", "Center",
    "Franklin", "Jefferson", "Madison", "Lincoln", "Highland", "Harbor", "Commerce", "Industrial", "Grand", "Broad",
    "Chestnut", "Walnut", "Willow", "Sycamore", "Magnolia", "Orchard", "Meadow", "Railroad", "Warehouse", "Canal",
)
STREET_SUFFIXES = ("St", "Ave", "Blvd", "Rd", "Dr", "Way", "Pkwy", "Ln", "Ct", "Pl")
_LETTERS = "ABCEGHJKLMNPRSTVXY"


def street(rnd) -> str:
    number = 100 + int(rnd() * 9800)
    name = STREET_NAMES[int(rnd() * len(STREET_NAMES))]
    suffix = STREET_SUFFIXES[int(rnd() * len(STREET_SUFFIXES))]
    text = f"{number} {name} {suffix}"
    if rnd() < 0.12:
        text += f", Suite {100 + int(rnd() * 800)}"
    return text


def postal_code(rnd, city: City) -> str:
    if city.country == "Canada":
        return f"{city.postal_prefix} {int(rnd() * 10)}{_LETTERS[int(rnd() * len(_LETTERS))]}{int(rnd() * 10)}"
    return f"{city.postal_prefix}{int(rnd() * 100):02d}"


def phone(rnd, city: City) -> str:
    """A fictional number: the 555-0100..0199 block is reserved for examples."""
    return f"({city.area_code}) 555-01{int(rnd() * 100):02d}"
