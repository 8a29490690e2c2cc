"""Contact job titles per industry, and which buying roles each kind of title tends to play."""

from __future__ import annotations

# Per industry: (senior titles for an account's first contact, everyone else).
TITLES = {
    "restaurant": (
        ("Owner", "General Manager", "Managing Partner"),
        ("Executive Chef", "Sous Chef", "Kitchen Manager", "Purchasing Manager", "Bar Manager", "Pastry Chef"),
    ),
    "qsr_chain": (
        ("Director of Operations", "VP Supply Chain", "Franchise Owner"),
        ("Supply Chain Manager", "District Manager", "Purchasing Manager", "Culinary Innovation Manager",
         "Store Operations Lead", "Packaging Buyer"),
    ),
    "hotel": (
        ("Food & Beverage Director", "General Manager"),
        ("Executive Chef", "Purchasing Manager", "Banquet Chef", "Director of Catering & Events", "Controller",
         "Restaurant Manager"),
    ),
    "school_district": (
        ("Nutrition Services Director", "Director of Child Nutrition"),
        ("Food Service Supervisor", "Menu Planner", "Purchasing Agent", "Business Manager",
         "Registered Dietitian", "Central Kitchen Manager"),
    ),
    "hospital": (
        ("Director of Food & Nutrition Services", "VP Support Services"),
        ("Executive Chef", "Clinical Nutrition Manager", "Purchasing Manager", "Patient Dining Supervisor",
         "Materials Manager", "Retail Café Manager"),
    ),
    "caterer": (
        ("Owner", "Catering Director"),
        ("Executive Chef", "Event Manager", "Purchasing Manager", "Kitchen Manager", "Operations Manager"),
    ),
    "grocery": (
        ("Owner", "Store Director"),
        ("Produce Manager", "Deli Manager", "Category Buyer", "Meat Department Manager", "Bakery Manager"),
    ),
    "distributor": (
        ("VP Purchasing", "President"),
        ("Category Manager", "Warehouse Manager", "Buyer", "Inventory Planner"),
    ),
    "university": (
        ("Director of Dining Services", "Associate VP Auxiliary Services"),
        ("Executive Chef", "Purchasing Coordinator", "Retail Dining Manager", "Catering Manager",
         "Sustainability Coordinator"),
    ),
    "senior_living": (
        ("Dining Services Director", "Executive Director"),
        ("Culinary Director", "Registered Dietitian", "Purchasing Coordinator", "Dining Room Manager"),
    ),
    "corporate_dining": (
        ("Food Service Director", "Workplace Experience Director"),
        ("Executive Chef", "Café Manager", "Procurement Specialist", "Workplace Experience Manager"),
    ),
    "other": (
        ("General Manager", "Director of Food Operations"),
        ("Concessions Manager", "Executive Chef", "Purchasing Manager", "Operations Manager"),
    ),
}

SENIOR_ROLES = (("decision_maker", 6), ("economic_buyer", 4))
PURCHASING_ROLES = (("economic_buyer", 4), ("gatekeeper", 3), ("influencer", 3), ("user", 1))
CHEF_ROLES = (("champion", 4), ("influencer", 4), ("user", 3), ("blocker", 1))
OTHER_ROLES = (("influencer", 4), ("user", 4), ("gatekeeper", 2), ("blocker", 1), ("champion", 1))


def roles_for(title: str, senior: bool):
    if senior:
        return SENIOR_ROLES
    lower = title.lower()
    if "purchas" in lower or "buyer" in lower or "procurement" in lower or "materials" in lower:
        return PURCHASING_ROLES
    if "chef" in lower or "culinary" in lower:
        return CHEF_ROLES
    return OTHER_ROLES
