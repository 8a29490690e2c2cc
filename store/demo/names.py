"""Person names for contacts, leads and staff, and the ASCII folding used for logins and emails."""

from __future__ import annotations

import re
import unicodedata

FIRST_NAMES = (
    "James", "Maria", "Robert", "Jennifer", "Michael", "Linda", "David", "Patricia", "William", "Elizabeth",
    "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Christopher", "Nancy",
    "Daniel", "Lisa", "Matthew", "Betty", "Anthony", "Margaret", "Mark", "Sandra", "Donald", "Ashley",
    "Steven", "Kimberly", "Paul", "Emily", "Andrew", "Donna", "Joshua", "Michelle", "Kenneth", "Carol",
    "Kevin", "Amanda", "Brian", "Melissa", "George", "Deborah", "Timothy", "Stephanie", "Ronald", "Rebecca",
    "Jason", "Laura", "Ryan", "Sharon", "Jacob", "Cynthia", "Gary", "Kathleen", "Nicholas", "Amy",
    "Eric", "Angela", "Jonathan", "Shirley", "Stephen", "Anna", "Larry", "Brenda", "Justin", "Pamela",
    "Scott", "Nicole", "Brandon", "Samantha", "Benjamin", "Katherine", "Samuel", "Christine", "Gregory", "Emma",
    "Alexander", "Rachel", "Patrick", "Carolyn", "Frank", "Janet", "Raymond", "Catherine", "Jack", "Maria",
    "Dennis", "Heather", "Jerry", "Diane", "Tyler", "Olivia", "Aaron", "Julie", "Jose", "Joyce",
    "Adam", "Victoria", "Nathan", "Kelly", "Henry", "Christina", "Zachary", "Lauren", "Douglas", "Joan",
    "Peter", "Evelyn", "Kyle", "Judith", "Noah", "Megan", "Ethan", "Andrea", "Jeremy", "Cheryl",
    "Carlos", "Hannah", "Luis", "Grace", "Miguel", "Priya", "Wei", "Mei", "Hiroshi", "Yuki",
    "Ahmed", "Fatima", "Omar", "Layla", "Kwame", "Amara", "Dmitri", "Elena", "Raj", "Ananya",
    "Diego", "Camila", "Mateo", "Valentina", "Liam", "Aisha", "Malik", "Imani", "Tariq", "Nadia",
    # a few with diacritics, as real contact lists have
    "José", "Zoë", "Renée", "Chloé", "Andrés", "Sofía", "Inés", "Noémie", "Iñaki", "Björn",
)

LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
    "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
    "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes",
    "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper",
    "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson",
    "Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes",
    "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
    "Chen", "Wang", "Zhang", "Liu", "Tanaka", "Sato", "Park", "Singh", "Shah", "Okafor",
    "Haddad", "Nasser", "Kowalski", "Novak", "Schmidt", "Becker", "Rossi", "Russo", "Dubois", "Laurent",
    "O'Brien", "O'Connor", "McCarthy", "Sullivan", "Fitzgerald", "Duarte", "Silva", "Santos", "Costa", "Abebe",
    # a few with diacritics
    "Muñoz", "Peña", "Ibáñez", "Núñez", "Côté", "Gagné", "Lefèvre", "Fernández", "Márquez", "Søndergaard",
)

# Showcase contacts placed on the showcase accounts (see businesses.SHOWCASE_ACCOUNTS): (first, last).
SHOWCASE_CONTACTS = (
    ("Renée", "Côté"),
    ("José", "Muñoz"),
    ("美玲", "陈"),
)

# Names the ASCII folding cannot derive (non-Latin scripts): their usual romanisation.
_ROMANISED = {"美玲": "meiling", "陈": "chen", "金龙": "jinlong"}
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_folded: dict[str, str] = {}


def fold(text: str) -> str:
    """'Côté' -> 'cote', "O'Brien" -> 'obrien', '陈' -> 'chen': lowercase ASCII letters and digits ('' if none)."""
    cached = _folded.get(text)
    if cached is None:
        cached = _folded[text] = _NOT_ALNUM.sub("", _ascii(text))
    return cached


def slug(text: str) -> str:
    """'Supply agreement — Café Étoilé' -> 'supply-agreement-cafe-etoile' (for file names in URIs)."""
    return _NOT_ALNUM.sub("-", _ascii(text)).strip("-")


def _ascii(text: str) -> str:
    for word, romanised in _ROMANISED.items():
        text = text.replace(word, f" {romanised} ")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


# Staff of the distributor. The first two are the managers, the next eight the reps.
STAFF = (
    ("Dana", "Whitfield"),
    ("Marcus", "Rivera"),
    ("Priya", "Shah"),
    ("Tom", "Becker"),
    ("Lucía", "Fernández"),
    ("Kevin", "O'Neill"),
    ("Aisha", "Bello"),
    ("Jordan", "Kim"),
    ("Sam", "Delgado"),
    ("Emily", "Novak"),
)
