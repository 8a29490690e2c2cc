"""The distributor's product catalogue and what each kind of customer tends to buy."""

from __future__ import annotations

from dataclasses import dataclass

CATEGORIES = ("produce", "dairy", "proteins", "dry goods", "disposables", "kitchen equipment", "beverages")


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    category: str
    unit: str
    list_price_cents: int
    description: str


PRODUCTS = (
    Product("PR-1001", "Romaine Hearts 3/18 ct", "produce", "case", 4250, "Washed, trimmed romaine hearts; three 18-count bags."),
    Product("PR-1002", "Iceberg Lettuce 24 ct", "produce", "case", 3195, "Wrapped heads, field packed."),
    Product("PR-1003", "Roma Tomatoes 25 lb", "produce", "case", 3480, "Vine-ripened Romas, 5x6 size."),
    Product("PR-1004", "Yellow Onions Jumbo 50 lb", "produce", "case", 2650, "Storage onions, 3 in. and up."),
    Product("PR-1005", "Russet Potatoes 70 ct", "produce", "case", 3125, "Idaho russets, 50 lb, baker size."),
    Product("PR-1006", "Hass Avocados 48 ct", "produce", "case", 6890, "Pre-conditioned, ready to use in 2-3 days."),
    Product("PR-1007", "Lemons 115 ct", "produce", "case", 4475, "Fancy grade, bar and kitchen use."),
    Product("PR-1008", "Spring Mix 3 lb", "produce", "case", 1895, "Triple-washed baby lettuces."),
    Product("PR-1009", "Cilantro 30 bunch", "produce", "case", 2240, "Iced, bunched cilantro."),
    Product("DA-2001", "Whole Milk Half-Pint Cartons 70 ct", "dairy", "case", 2295, "School-lunch milk cartons, 8 oz."),
    Product("DA-2002", "Heavy Cream 36% 12/qt", "dairy", "case", 5460, "Ultra-pasteurised manufacturing cream."),
    Product("DA-2003", "Unsalted Butter AA 36/1 lb", "dairy", "case", 14250, "Grade AA sweet cream butter."),
    Product("DA-2004", "Shredded Mozzarella 4/5 lb", "dairy", "case", 5980, "Low-moisture part-skim, feather shred."),
    Product("DA-2005", "Sharp Cheddar Sliced 4/2.5 lb", "dairy", "case", 4890, "Aged cheddar, 0.75 oz slices."),
    Product("DA-2006", "Greek Yogurt Plain 6/32 oz", "dairy", "case", 3350, "Non-fat strained yogurt."),
    Product("DA-2007", "Large Eggs Grade A 15 dz", "dairy", "case", 4275, "Cage-free shell eggs."),
    Product("PT-3001", "Chicken Breast Boneless Skinless", "proteins", "lb", 349, "Fresh, 6-8 oz portions, 40 lb case."),
    Product("PT-3002", "Ground Beef 80/20", "proteins", "lb", 489, "Fresh chub packs, 10 lb."),
    Product("PT-3003", "Beef Ribeye Choice Lip-On", "proteins", "lb", 1595, "USDA Choice, whole subprimal."),
    Product("PT-3004", "Pork Shoulder Bone-In", "proteins", "lb", 245, "Boston butt, for smoking and braising."),
    Product("PT-3005", "Atlantic Salmon Fillet", "proteins", "lb", 1150, "Skin-on, pin-bone out, fresh."),
    Product("PT-3006", "Applewood Smoked Bacon 15 lb", "proteins", "case", 8250, "Thick-cut, 14-18 slices per lb."),
    Product("PT-3007", "Jumbo Chicken Wings 40 lb", "proteins", "case", 9890, "Split wings, fresh, IQF available."),
    Product("DG-4001", "Extra Virgin Olive Oil 4/1 gal", "dry goods", "case", 8950, "Cold-pressed blend."),
    Product("DG-4002", "Canola Fry Oil 35 lb", "dry goods", "each", 4250, "High-stability, long fry life."),
    Product("DG-4003", "All-Purpose Flour 50 lb", "dry goods", "each", 2450, "Enriched, bleached."),
    Product("DG-4004", "Long Grain Rice 50 lb", "dry goods", "each", 3575, "Parboiled, holds well on the line."),
    Product("DG-4005", "Penne Rigate 2/10 lb", "dry goods", "case", 2395, "Durum semolina pasta."),
    Product("DG-4006", "San Marzano Tomatoes 6/#10", "dry goods", "case", 5240, "Whole peeled, DOP."),
    Product("DG-4007", "Granulated Sugar 50 lb", "dry goods", "each", 3890, "Cane sugar, extra fine."),
    Product("DS-5001", "Compostable Clamshell 9x9 200 ct", "disposables", "case", 6850, "Molded fiber, PFAS-free."),
    Product("DS-5002", "Nitrile Gloves Large 1000 ct", "disposables", "case", 5995, "Powder-free, food safe."),
    Product("DS-5003", "Paper Napkins 2-Ply 6000 ct", "disposables", "case", 4150, "Recycled content dinner napkins."),
    Product("DS-5004", "Hot Cups 12 oz with Lids 1000 ct", "disposables", "case", 8925, "Double-wall paper cups."),
    Product("DS-5005", "Deli Containers 16 oz 240 ct", "disposables", "case", 3875, "Clear PP with lids."),
    Product("DS-5006", "Aluminum Foil Roll 18 in x 500 ft", "disposables", "each", 3295, "Heavy-duty foodservice foil."),
    Product("KE-6001", "Combi Oven 10-Pan Electric", "kitchen equipment", "each", 1895000, "Steam/convection combi with core probe."),
    Product("KE-6002", "Reach-In Refrigerator 2-Door", "kitchen equipment", "each", 489500, "49 cu ft, stainless."),
    Product("KE-6003", "High-Temp Door-Type Dishwasher", "kitchen equipment", "each", 1125000, "55 racks per hour."),
    Product("KE-6004", "Countertop Griddle 36 in", "kitchen equipment", "each", 189900, "Thermostatic, 1 in. plate."),
    Product("KE-6005", "Immersion Blender 16 in", "kitchen equipment", "each", 42900, "Variable speed, removable shaft."),
    Product("BV-7001", "Cold Brew Concentrate 2/0.5 gal", "beverages", "case", 4680, "1:3 ratio, shelf stable."),
    Product("BV-7002", "Orange Juice 100% 4/1 gal", "beverages", "case", 3290, "Not from concentrate."),
    Product("BV-7003", "Sparkling Water 24/500 ml", "beverages", "case", 2150, "Glass bottles."),
    Product("BV-7004", "House Blend Coffee Whole Bean 5 lb", "beverages", "each", 5450, "Medium roast, fair trade."),
    Product("BV-7005", "Lemonade Concentrate 2/2.5 gal", "beverages", "case", 6995, "Bag-in-box for dispensers."),
)

# Relative weight of each category (in CATEGORIES order) in a deal, per industry.
CATEGORY_WEIGHTS = {
    "restaurant": (25, 15, 25, 15, 8, 5, 7),
    "qsr_chain": (15, 10, 30, 10, 25, 3, 7),
    "hotel": (20, 15, 20, 10, 10, 10, 15),
    "school_district": (30, 30, 15, 15, 8, 2, 3),
    "hospital": (20, 20, 15, 15, 20, 5, 5),
    "caterer": (25, 15, 25, 10, 15, 5, 5),
    "grocery": (35, 25, 20, 15, 2, 1, 3),
    "distributor": (20, 15, 20, 25, 15, 2, 3),
    "university": (20, 15, 20, 15, 15, 5, 10),
    "senior_living": (25, 25, 20, 15, 8, 4, 3),
    "corporate_dining": (20, 10, 15, 10, 15, 10, 20),
    "other": (15, 10, 20, 15, 20, 5, 15),
}

# How a deal is named after its main category.
PROGRAMS = {
    "produce": ("produce program", "fresh produce contract", "seasonal produce supply"),
    "dairy": ("dairy contract", "dairy & eggs program"),
    "proteins": ("protein supply agreement", "center-of-plate program", "meat & poultry bid"),
    "dry goods": ("dry goods bid", "pantry staples program"),
    "disposables": ("disposables rollout", "compostable packaging switch", "to-go packaging program"),
    "kitchen equipment": ("kitchen equipment refresh", "kitchen remodel package", "combi oven upgrade"),
    "beverages": ("beverage program", "coffee & beverage service"),
}
