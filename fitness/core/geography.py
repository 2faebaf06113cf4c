"""Where a chain lies: the US time-zone regions, the states of each, and per
state its zip codes, telephone area codes and real cities grouped by metro area.

A chain lies in one region, the one of the project's `TIME_ZONE` (rule S9):
its facilities stand in that region's states and its members live in the
state of their home facility, in a city of the home facility's metro area
(rule M9: within commuting distance), with a zip code of that city and phone
numbers with an area code of their state. Each state belongs to the region
of its main time zone (most of Tennessee's people live on Central time, so
it is Central; Indiana, Kentucky and Michigan are Eastern, Texas Central).

The data is stated once, below, and read by the factories, the seeder and
check_ods. Cities carry their 3-digit zip prefixes (the first three digits of
the zip codes of that city); `STATE_ZIP_PREFIXES` holds every prefix of a
state. Area codes are the state's long-established codes (overlays newer than
a few years are left out, as few numbers carry them yet).
"""
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class City(NamedTuple):
    name: str
    state: str  # the state's abbreviation
    metro: int  # index of its metro area within the state: cities of one metro are within commuting distance
    zip_prefixes: tuple  # 3-digit zip prefixes (ints) of the city


class State(NamedTuple):
    code: str  # USPS abbreviation
    name: str
    population: int  # millions, rounded: how likely a chain is to open there
    zip_prefixes: tuple  # every 3-digit zip prefix of the state (ints)
    area_codes: tuple  # telephone area codes in service (ints)
    metros: tuple  # tuple of tuples of City, the largest metro area first

    @property
    def cities(self) -> tuple:
        return tuple(city for metro in self.metros for city in metro)

    @property
    def zip_range(self) -> tuple:
        """(lowest, highest) zip code of the state."""
        return min(self.zip_prefixes) * 100, max(self.zip_prefixes) * 100 + 99


# --- the data -------------------------------------------------------------------------------------
# code: (name, population in millions, zip prefix ranges, area codes, metros)
# Zip prefix ranges: "350-352 354-369". Metros are separated by "|"; a city is "Name prefix[/prefix]".

_STATES = {
    # Eastern
    "CT": ("Connecticut", 4, "060-069", "203 475 860 959",
           "Hartford 061, West Hartford 061, New Britain 060, Manchester 060 | New Haven 065, Hamden 065, "
           "Milford 064, Meriden 064 | Bridgeport 066, Stamford 069, Norwalk 068, Danbury 068"),
    "DE": ("Delaware", 1, "197-199", "302",
           "Wilmington 198, Newark 197, Middletown 197 | Dover 199, Smyrna 199 | Lewes 199, Rehoboth Beach 199"),
    "DC": ("District of Columbia", 1, "200-205", "202",
           "Washington 200/201/202/203/204/205"),
    "FL": ("Florida", 22, "320-349", "239 305 321 352 386 407 561 727 754 772 786 813 850 863 904 941 954",
           "Miami 331/332, Hialeah 330, Fort Lauderdale 333, Hollywood 330, Boca Raton 334, West Palm Beach 334 | "
           "Tampa 336, St. Petersburg 337, Clearwater 337, Brandon 335 | Orlando 328, Kissimmee 347, Sanford 327, "
           "Winter Park 327 | Jacksonville 322, Orange Park 320, St. Augustine 320 | Tallahassee 323 | "
           "Sarasota 342, Bradenton 342 | Fort Myers 339, Cape Coral 339, Naples 341 | Gainesville 326"),
    "GA": ("Georgia", 11, "300-319 398-399", "229 404 470 478 678 706 762 770 912",
           "Atlanta 303, Marietta 300, Alpharetta 300, Decatur 300, Sandy Springs 303, Roswell 300 | "
           "Savannah 314, Pooler 313 | Augusta 309, Evans 308 | Columbus 319 | Macon 312, Warner Robins 310 | "
           "Athens 306"),
    "IN": ("Indiana", 7, "460-479", "219 260 317 463 574 765 812 930",
           "Indianapolis 462, Carmel 460, Fishers 460, Greenwood 461, Noblesville 460 | Fort Wayne 468 | "
           "South Bend 466, Mishawaka 465, Elkhart 465 | Evansville 477 | Bloomington 474 | Lafayette 479"),
    "KY": ("Kentucky", 5, "400-427", "270 502 606 859",
           "Louisville 402, Jeffersontown 402, Shelbyville 400 | Lexington 405, Georgetown 403, Nicholasville 403 | "
           "Bowling Green 421 | Covington 410, Florence 410 | Owensboro 423"),
    "ME": ("Maine", 1, "039-049", "207",
           "Portland 041, South Portland 041, Westbrook 040, Scarborough 040 | Lewiston 042, Auburn 042 | "
           "Bangor 044, Brewer 044 | Augusta 043, Waterville 049"),
    "MD": ("Maryland", 6, "206-219", "240 301 410 443 667",
           "Baltimore 212, Towson 212, Columbia 210, Ellicott City 210, Glen Burnie 210 | Silver Spring 209, "
           "Rockville 208, Bethesda 208, Gaithersburg 208, Germantown 208 | Frederick 217, Hagerstown 217 | "
           "Annapolis 214 | Salisbury 218"),
    "MA": ("Massachusetts", 7, "010-027", "339 351 413 508 617 774 781 857 978",
           "Boston 021/022, Cambridge 021, Quincy 021, Newton 024, Somerville 021, Waltham 024, Brookline 024 | "
           "Worcester 016, Framingham 017, Shrewsbury 015 | Springfield 011, Chicopee 010, Holyoke 010 | "
           "Lowell 018, Lawrence 018, Haverhill 018 | New Bedford 027, Fall River 027 | Brockton 023, Plymouth 023"),
    "MI": ("Michigan", 10, "480-499", "231 248 269 313 517 586 616 734 810 906 947 989",
           "Detroit 482, Dearborn 481, Livonia 481, Troy 480, Warren 480, Sterling Heights 483, Southfield 480, "
           "Ann Arbor 481 | Grand Rapids 495, Wyoming 495, Kentwood 495, Holland 494 | Lansing 489, East Lansing 488 | "
           "Flint 485, Grand Blanc 484 | Kalamazoo 490, Portage 490 | Saginaw 486, Bay City 487 | Traverse City 496"),
    "NH": ("New Hampshire", 1, "030-038", "603",
           "Manchester 031, Nashua 030, Bedford 031, Merrimack 030 | Concord 033 | Portsmouth 038, Dover 038 | "
           "Keene 034"),
    "NJ": ("New Jersey", 9, "070-089", "201 551 609 732 848 856 862 908 973",
           "Newark 071, Jersey City 073, Hoboken 070, Paterson 075, Elizabeth 072, Clifton 070, Hackensack 076, "
           "Montclair 070, Morristown 079 | Edison 088, New Brunswick 089, Woodbridge 070, Toms River 087, "
           "Princeton 085 | Trenton 086, Hamilton 086 | Cherry Hill 080, Camden 081, Vineland 083 | "
           "Atlantic City 084"),
    "NY": ("New York", 20, "005 100-149", "212 315 347 516 518 585 607 631 646 716 718 845 914 917 929 934",
           "New York 100/101/102, Brooklyn 112, Queens 113/114, Bronx 104, Staten Island 103, Yonkers 107, "
           "White Plains 106, New Rochelle 108, Hempstead 115, Huntington 117 | Buffalo 142, Cheektowaga 142, "
           "Tonawanda 141, Amherst 142 | Rochester 146, Greece 146, Irondequoit 146 | Albany 122, Schenectady 123, "
           "Troy 121, Saratoga Springs 128 | Syracuse 132, Liverpool 130 | Ithaca 148 | Binghamton 139"),
    "NC": ("North Carolina", 11, "270-289", "252 336 704 828 910 919 980 984",
           "Charlotte 282, Concord 280, Gastonia 280, Huntersville 280, Matthews 281 | Raleigh 276, Durham 277, "
           "Cary 275, Chapel Hill 275, Apex 275 | Greensboro 274, Winston-Salem 271, High Point 272 | Asheville 288 | "
           "Wilmington 284 | Fayetteville 283"),
    "OH": ("Ohio", 12, "430-459", "216 220 234 330 380 419 440 513 567 614 740 937",
           "Columbus 432, Dublin 430, Westerville 430, Hilliard 430, Grove City 431 | Cleveland 441, Lakewood 441, "
           "Parma 441, Strongsville 441, Mentor 440 | Cincinnati 452, Mason 450, Hamilton 450, Fairfield 450 | "
           "Dayton 454, Kettering 454, Beavercreek 454 | Toledo 436, Perrysburg 435 | Akron 443, Canton 447 | "
           "Youngstown 445"),
    "PA": ("Pennsylvania", 13, "150-196", "215 223 267 272 412 484 570 610 717 724 814 878",
           "Philadelphia 190/191, King of Prussia 194, Norristown 194, Bensalem 190, Media 190, Doylestown 189 | "
           "Pittsburgh 152, Bethel Park 151, Monroeville 151, Cranberry Township 160 | Allentown 181, "
           "Bethlehem 180, Easton 180 | Harrisburg 171, Hershey 170, Mechanicsburg 170 | Lancaster 176 | "
           "Scranton 185, Wilkes-Barre 187 | Erie 165 | State College 168 | Reading 196"),
    "RI": ("Rhode Island", 1, "028-029", "401",
           "Providence 029, Cranston 029, Warwick 028, Pawtucket 028, East Providence 029 | Newport 028"),
    "SC": ("South Carolina", 5, "290-299", "803 843 854 864",
           "Columbia 292, Lexington 290, Irmo 290 | Charleston 294, Mount Pleasant 294, Summerville 294, "
           "North Charleston 294 | Greenville 296, Spartanburg 293, Greer 296 | Myrtle Beach 295 | Rock Hill 297"),
    "VT": ("Vermont", 1, "050-059", "802",
           "Burlington 054, South Burlington 054, Essex Junction 054, Colchester 054 | Rutland 057 | Montpelier 056, "
           "Barre 056"),
    "VA": ("Virginia", 9, "201 220-246", "276 434 540 571 703 757 804",
           "Arlington 222, Alexandria 223, Fairfax 220, Reston 201, Herndon 201, Leesburg 201, Manassas 201 | "
           "Virginia Beach 234, Norfolk 235, Chesapeake 233, Newport News 236, Hampton 236 | Richmond 232, "
           "Henrico 232, Chesterfield 238 | Charlottesville 229 | Roanoke 240, Blacksburg 240 | Lynchburg 245 | "
           "Fredericksburg 224"),
    "WV": ("West Virginia", 2, "247-268", "304 681",
           "Charleston 253, South Charleston 253 | Huntington 257 | Morgantown 265 | Parkersburg 261 | "
           "Wheeling 260"),
    # Central
    "AL": ("Alabama", 5, "350-352 354-369", "205 251 256 334 938",
           "Birmingham 352, Hoover 352, Vestavia Hills 352, Bessemer 350 | Huntsville 358, Madison 357, Decatur 356 | "
           "Mobile 366, Daphne 365 | Montgomery 361, Prattville 360 | Tuscaloosa 354 | Auburn 368"),
    "AR": ("Arkansas", 3, "716-729", "479 501 870",
           "Little Rock 722, North Little Rock 721, Conway 720, Benton 720 | Fayetteville 727, Springdale 727, "
           "Rogers 727, Bentonville 727 | Fort Smith 729 | Jonesboro 724"),
    "IL": ("Illinois", 13, "600-629", "217 224 309 312 331 618 630 708 773 779 815 847 872",
           "Chicago 606/607/608, Evanston 602, Naperville 605, Aurora 605, Joliet 604, Schaumburg 601, Skokie 600, "
           "Oak Park 603, Elgin 601, Waukegan 600 | Rockford 611 | Peoria 616, Bloomington 617, Normal 617 | "
           "Springfield 627 | Champaign 618, Urbana 618"),
    "IA": ("Iowa", 3, "500-528", "319 515 563 641 712",
           "Des Moines 503, West Des Moines 502, Ankeny 500, Urbandale 503 | Cedar Rapids 524, Iowa City 522 | "
           "Davenport 528, Bettendorf 527 | Sioux City 511 | Waterloo 507, Cedar Falls 506"),
    "KS": ("Kansas", 3, "660-679", "316 620 785 913",
           "Wichita 672, Derby 670 | Overland Park 662, Olathe 660, Kansas City 661, Lenexa 662, Shawnee 662 | "
           "Topeka 666 | Lawrence 660 | Manhattan 665"),
    "LA": ("Louisiana", 5, "700-714", "225 318 337 504 985",
           "New Orleans 701, Metairie 700, Kenner 700, Slidell 704 | Baton Rouge 708, Denham Springs 707 | "
           "Shreveport 711, Bossier City 711 | Lafayette 705 | Lake Charles 706"),
    "MN": ("Minnesota", 6, "550-567", "218 320 507 612 651 763 952",
           "Minneapolis 554, St. Paul 551, Bloomington 554, Edina 554, Plymouth 554, Eagan 551, Maple Grove 553 | "
           "Rochester 559 | Duluth 558 | St. Cloud 563"),
    "MS": ("Mississippi", 3, "386-397", "228 601 662 769",
           "Jackson 392, Ridgeland 391, Brandon 390 | Gulfport 395, Biloxi 395 | Hattiesburg 394 | Tupelo 388 | "
           "Southaven 386, Olive Branch 386"),
    "MO": ("Missouri", 6, "630-658", "314 417 573 636 660 816",
           "St. Louis 631, Chesterfield 630, Florissant 630, St. Charles 633, O'Fallon 633 | Kansas City 641, "
           "Independence 640, Lee's Summit 640, Liberty 640 | Springfield 658 | Columbia 652, Jefferson City 651"),
    "NE": ("Nebraska", 2, "680-693", "308 402 531",
           "Omaha 681, Bellevue 680, Papillion 680 | Lincoln 685 | Grand Island 688 | Kearney 688"),
    "ND": ("North Dakota", 1, "580-588", "701",
           "Fargo 581, West Fargo 580 | Bismarck 585, Mandan 585 | Grand Forks 582 | Minot 587"),
    "OK": ("Oklahoma", 4, "730-731 734-749", "405 539 580 918",
           "Oklahoma City 731, Edmond 730, Norman 730, Moore 731 | Tulsa 741, Broken Arrow 740, Owasso 740 | "
           "Lawton 735 | Stillwater 740"),
    "SD": ("South Dakota", 1, "570-577", "605",
           "Sioux Falls 571, Brandon 570 | Rapid City 577 | Aberdeen 574 | Brookings 570"),
    "TN": ("Tennessee", 7, "370-385", "423 615 629 731 865 901 931",
           "Nashville 372, Franklin 370, Murfreesboro 371, Brentwood 370, Hendersonville 370 | Memphis 381, "
           "Germantown 381, Collierville 380, Bartlett 381 | Knoxville 379, Maryville 378 | Chattanooga 374 | "
           "Clarksville 370 | Jackson 383"),
    "TX": ("Texas", 30, "733 750-799 885", "210 214 254 281 325 361 409 430 432 469 512 682 713 737 806 817 830 "
                                          "832 903 915 936 940 956 972 979",
           "Houston 770, Sugar Land 774, Katy 774, Pearland 775, The Woodlands 773, Pasadena 775 | Dallas 752, "
           "Plano 750, Irving 750, Garland 750, Frisco 750, Fort Worth 761, Arlington 760, McKinney 750 | "
           "San Antonio 782, New Braunfels 781, Schertz 781 | Austin 787, Round Rock 786, Cedar Park 786, "
           "Georgetown 786, San Marcos 786 | El Paso 799 | Corpus Christi 784 | Lubbock 794 | McAllen 785, "
           "Edinburg 785 | Waco 767 | Amarillo 791"),
    "WI": ("Wisconsin", 6, "530-532 534-549", "262 414 608 715 920",
           "Milwaukee 532, Waukesha 531, West Allis 532, Wauwatosa 532, Brookfield 530 | Madison 537, Middleton 535, "
           "Sun Prairie 535 | Green Bay 543, Appleton 549, Oshkosh 549 | Kenosha 531, Racine 534 | Eau Claire 547"),
    # Mountain
    "CO": ("Colorado", 6, "800-816", "303 719 720 970",
           "Denver 802, Aurora 800, Lakewood 802, Littleton 801, Arvada 800, Westminster 800, Boulder 803, "
           "Centennial 801 | Colorado Springs 809, Monument 801 | Fort Collins 805, Loveland 805, Greeley 806 | "
           "Pueblo 810 | Grand Junction 815"),
    "ID": ("Idaho", 2, "832-838", "208",
           "Boise 837, Meridian 836, Nampa 836, Eagle 836 | Idaho Falls 834 | Pocatello 832 | Coeur d'Alene 838, "
           "Post Falls 838 | Twin Falls 833"),
    "MT": ("Montana", 1, "590-599", "406",
           "Billings 591 | Missoula 598 | Bozeman 597 | Great Falls 594 | Helena 596 | Kalispell 599"),
    "NM": ("New Mexico", 2, "870-884", "505 575",
           "Albuquerque 871, Rio Rancho 871 | Santa Fe 875 | Las Cruces 880 | Roswell 882 | Farmington 874"),
    "UT": ("Utah", 3, "840-847", "385 435 801",
           "Salt Lake City 841, West Valley City 841, Sandy 840, West Jordan 840, South Jordan 840, Murray 841 | "
           "Provo 846, Orem 840, Lehi 840 | Ogden 844, Layton 840 | St. George 847 | Logan 843"),
    "WY": ("Wyoming", 1, "820-831", "307",
           "Cheyenne 820 | Casper 826 | Laramie 820 | Gillette 827 | Rock Springs 829"),
    # Pacific
    "CA": ("California", 39, "900-961", "209 213 279 310 323 408 415 424 442 510 530 559 562 619 626 628 650 657 "
                                        "661 669 707 714 747 760 805 818 831 858 909 916 925 949 951",
           "Los Angeles 900, Long Beach 908, Glendale 912, Pasadena 911, Santa Monica 904, Burbank 915, Torrance 905, "
           "Anaheim 928, Irvine 926, Santa Ana 927, Huntington Beach 926 | San Diego 921, Chula Vista 919, "
           "Oceanside 920, Escondido 920, Carlsbad 920 | San Francisco 941, Oakland 946, Berkeley 947, San Mateo 944, "
           "Fremont 945, Hayward 945, Walnut Creek 945 | San Jose 951, Santa Clara 950, Sunnyvale 940, "
           "Mountain View 940, Palo Alto 943 | Sacramento 958, Elk Grove 957, Roseville 956, Folsom 956 | "
           "Riverside 925, San Bernardino 924, Ontario 917, Rancho Cucamonga 917, Corona 928 | Fresno 937, Clovis 936 | "
           "Bakersfield 933 | Santa Barbara 931, Ventura 930, Oxnard 930"),
    "NV": ("Nevada", 3, "889-898", "702 725 775",
           "Las Vegas 891, Henderson 890, North Las Vegas 890, Paradise 891 | Reno 895, Sparks 894, Carson City 897"),
    "OR": ("Oregon", 4, "970-979", "458 503 541 971",
           "Portland 972, Beaverton 970, Hillsboro 971, Gresham 970, Lake Oswego 970, Tigard 972 | Salem 973, "
           "Keizer 973 | Eugene 974, Springfield 974 | Bend 977 | Medford 975"),
    "WA": ("Washington", 8, "980-994", "206 253 360 425 509 564",
           "Seattle 981, Bellevue 980, Redmond 980, Kirkland 980, Everett 982, Renton 980, Kent 980, Tacoma 984, "
           "Federal Way 980 | Spokane 992, Spokane Valley 992 | Vancouver 986 | Olympia 985, Lacey 985 | "
           "Bellingham 982 | Yakima 989"),
    # single-state regions
    "AZ": ("Arizona", 7, "850-853 855-857 859-860 863-865", "480 520 602 623 928",
           "Phoenix 850, Mesa 852, Chandler 852, Scottsdale 852, Glendale 853, Tempe 852, Gilbert 852, "
           "Peoria 853 | Tucson 857, Oro Valley 857, Marana 856 | Flagstaff 860 | Yuma 853 | Prescott 863"),
    "AK": ("Alaska", 1, "995-999", "907",
           "Anchorage 995, Eagle River 995, Wasilla 996, Palmer 996 | Fairbanks 997 | Juneau 998"),
    "HI": ("Hawaii", 1, "967-968", "808",
           "Honolulu 968, Pearl City 967, Kailua 967, Kaneohe 967, Waipahu 967 | Hilo 967, Kailua-Kona 967 | "
           "Kahului 967, Wailuku 967, Kihei 967 | Lihue 967"),
}

# The regions by the time zone a project may set, each with its states (the
# zone's main states only); aliases map older names onto the same region.
REGION_STATES = {
    "America/New_York": ("CT", "DE", "DC", "FL", "GA", "IN", "KY", "ME", "MD", "MA", "MI", "NH", "NJ", "NY", "NC",
                         "OH", "PA", "RI", "SC", "VT", "VA", "WV"),
    "America/Chicago": ("AL", "AR", "IL", "IA", "KS", "LA", "MN", "MS", "MO", "NE", "ND", "OK", "SD", "TN", "TX",
                        "WI"),
    "America/Denver": ("CO", "ID", "MT", "NM", "UT", "WY"),
    "America/Los_Angeles": ("CA", "NV", "OR", "WA"),
    "America/Phoenix": ("AZ",),
    "America/Anchorage": ("AK",),
    "Pacific/Honolulu": ("HI",),
}
ZONE_ALIASES = {
    "US/Eastern": "America/New_York", "America/Detroit": "America/New_York",
    "America/Indiana/Indianapolis": "America/New_York", "America/Kentucky/Louisville": "America/New_York",
    "US/Central": "America/Chicago", "US/Mountain": "America/Denver", "America/Boise": "America/Denver",
    "US/Pacific": "America/Los_Angeles", "US/Arizona": "America/Phoenix", "US/Alaska": "America/Anchorage",
    "US/Hawaii": "Pacific/Honolulu",
}


# --- parsing the data once ------------------------------------------------------------------------

def _prefix_ranges(text: str) -> tuple:
    prefixes = []
    for part in text.split():
        low, _, high = part.partition("-")
        prefixes.extend(range(int(low), int(high or low) + 1))
    return tuple(prefixes)


def _metros(code: str, text: str) -> tuple:
    metros = []
    for metro_index, metro in enumerate(text.split("|")):
        cities = []
        for entry in metro.split(","):
            name, _, prefixes = entry.strip().rpartition(" ")
            cities.append(City(name, code, metro_index, tuple(int(p) for p in prefixes.split("/"))))
        metros.append(tuple(cities))
    return tuple(metros)


STATES = {
    code: State(code, name, population, _prefix_ranges(zips), tuple(int(a) for a in codes.split()), _metros(code, metros))
    for code, (name, population, zips, codes, metros) in _STATES.items()
}
STATE_ZIP_PREFIXES = {code: frozenset(state.zip_prefixes) for code, state in STATES.items()}
AREA_CODES = {code: state.area_codes for code, state in STATES.items()}


# --- the project's region -------------------------------------------------------------------------

def region_name(time_zone: str) -> str:
    """The region (its main zone's name) of a time zone; ImproperlyConfigured for a zone outside the US regions."""
    zone = ZONE_ALIASES.get(time_zone, time_zone)
    if zone not in REGION_STATES:
        raise ImproperlyConfigured(
            f"TIME_ZONE {time_zone!r} is not one of the US time-zone regions a chain can lie in; "
            f"use one of {', '.join(REGION_STATES)} (or an alias: {', '.join(ZONE_ALIASES)})"
        )
    return zone


def region_states(time_zone: str | None = None) -> tuple:
    """The State records of the region of `time_zone` (default: settings.TIME_ZONE), in the table's order."""
    return tuple(STATES[code] for code in REGION_STATES[region_name(time_zone or settings.TIME_ZONE)])


def zip_code_in(rng, city: City) -> str:
    """A 5-digit zip code of the city: one of its prefixes and two drawn digits (01-99)."""
    prefix = city.zip_prefixes[int(rng.random() * len(city.zip_prefixes))]
    return f"{prefix * 100 + 1 + int(rng.random() * 99):05d}"


def zip_fits_state(zip_code: str, state_code: str) -> bool:
    """Whether a zip code's 3-digit prefix is one of the state's."""
    return zip_code[:5].isdigit() and int(zip_code[:3]) in STATE_ZIP_PREFIXES.get(state_code, ())


def city_named(state_code: str, name: str) -> City | None:
    """The state's city of that name, or None."""
    return next((city for city in STATES[state_code].cities if city.name == name), None)
