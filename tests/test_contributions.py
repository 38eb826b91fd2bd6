"""Contributions as the regulations give them, proven against values computed by hand (never by the code).

Each row of CASES is one worker on one day: the expected amount and split were worked out by hand from the
regulation named beside it (rounding: each share half up to a whole Rupiah, the amount their sum).
Every row goes through the three doors that compute a contribution: the calculator (``programs.calculator``),
the ``contribution`` command (JSON) and ``enrol_worker``.
"""

import json
from collections import Counter
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from berjasa.audit import Channel
from enrollment import services
from enrollment.models import Membership
from enrollment.services.contributions import recompute_contributions
from programs.calculator import quote
from programs.models import ContributionRate, FundingScheme, Program, Segment
from tests import factories

pytestmark = pytest.mark.usefixtures("reference_data")

PU, NON_ASN, RENTAN = "FORMAL", "NON_ASN", "RENTAN"
RT_RW, KADER, KEAGAMAAN = "RT_RW", "KADER", "KEAGAMAAN"
MANDIRI, SPONSOR = "MANDIRI", "SPONSOR"
TODAY = date(2026, 12, 7)
COVID = "PP 49/2020 (keringanan 99 % iuran JKK dan JKM Agustus 2020-Januari 2021): not a rate, decision 40"
JKK_PU = "PP 44/2015 Pasal 16 ayat 1 dan Lampiran I"
JKM_PU = "PP 44/2015 Pasal 18 ayat 1 (JKM 0,30 % upah)"
JHT_PU = "PP 46/2015 Pasal 16 (3,7 % + 2 %)"
JP = "PP 45/2015 Pasal 28 (2 % + 1 %), Pasal 29 (batas upah)"
JKP_2021 = "PP 37/2021 Pasal 11 (0,46 %, upah paling tinggi Rp5.000.000)"
JKP_2025 = "PP 6/2025 Pasal 11 (0,36 %, upah paling tinggi Rp5.000.000)"
JKK_BPU = "PP 44/2015 Lampiran II; Permenaker 5/2021 (1 %, Rp10.000 s.d. Rp207.000)"
JKM_BPU = "PP 44/2015 (JKM Rp6.800)"
JHT_BPU = "PP 46/2015; Permenaker 5/2021 (2 %, paling sedikit Rp20.000)"
WAGE_EARNERS = "PP 45/2015 Pasal 2, PP 37/2021 Pasal 2: wage earners only"
REFUSED = None

# program, segment, funding (None: the segment's), risk class (the employer's), wage, day,
# expected (employer, worker, government) or REFUSED, regulation and the arithmetic (each share half up).
JKK_CASES = [
    ("JKK", PU, None, 1, 4_000_000, date(2015, 6, 30), REFUSED, "PP 44/2015 in force 1-7-2015"),
    # The first day: 3,500,000 x 0.24 / 0.54 / 0.89 / 1.27 / 1.74 %.
    ("JKK", PU, None, 1, 3_500_000, date(2015, 7, 1), (8_400, 0, 0), f"{JKK_PU}: 0,24 %"),
    ("JKK", PU, None, 2, 3_500_000, date(2015, 7, 1), (18_900, 0, 0), f"{JKK_PU}: 0,54 %"),
    ("JKK", PU, None, 3, 3_500_000, date(2015, 7, 1), (31_150, 0, 0), f"{JKK_PU}: 0,89 %"),
    ("JKK", PU, None, 4, 3_500_000, date(2015, 7, 1), (44_450, 0, 0), f"{JKK_PU}: 1,27 %"),
    ("JKK", PU, None, 5, 3_500_000, date(2015, 7, 1), (60_900, 0, 0), f"{JKK_PU}: 1,74 %"),
    # 4,000,000 x rate.
    ("JKK", PU, None, 1, 4_000_000, date(2025, 8, 1), (9_600, 0, 0), f"{JKK_PU}: 0,24 %"),
    ("JKK", PU, None, 2, 4_000_000, date(2025, 8, 1), (21_600, 0, 0), f"{JKK_PU}: 0,54 %"),
    ("JKK", PU, None, 3, 4_000_000, date(2025, 8, 1), (35_600, 0, 0), f"{JKK_PU}: 0,89 %"),
    ("JKK", PU, None, 4, 4_000_000, date(2025, 8, 1), (50_800, 0, 0), f"{JKK_PU}: 1,27 %"),
    ("JKK", PU, None, 5, 4_000_000, date(2025, 8, 1), (69_600, 0, 0), f"{JKK_PU}: 1,74 %"),
    # Odd Rupiah today: 5,123,457 x 0.24 % = 12,296.30; 0.54 % = 27,666.67; 0.89 % = 45,598.77;
    # 1.27 % = 65,067.90; 1.74 % = 89,148.15.
    ("JKK", PU, None, 1, 5_123_457, TODAY, (12_296, 0, 0), f"{JKK_PU}: 0,24 %"),
    ("JKK", PU, None, 2, 5_123_457, TODAY, (27_667, 0, 0), f"{JKK_PU}: 0,54 %"),
    ("JKK", PU, None, 3, 5_123_457, TODAY, (45_599, 0, 0), f"{JKK_PU}: 0,89 %"),
    ("JKK", PU, None, 4, 5_123_457, TODAY, (65_068, 0, 0), f"{JKK_PU}: 1,27 %"),
    ("JKK", PU, None, 5, 5_123_457, TODAY, (89_148, 0, 0), f"{JKK_PU}: 1,74 %"),
    # Exactly half a Rupiah rounds up: 1,000,625 x 0.24 % = 2,401.5; 1,002,500 x 0.54 % = 5,413.5;
    # 1,005,000 x 0.89 % = 8,944.5; 1,005,000 x 1.27 % = 12,763.5; 1,002,500 x 1.74 % = 17,443.5.
    ("JKK", PU, None, 1, 1_000_625, date(2023, 5, 1), (2_402, 0, 0), f"{JKK_PU}: 0,24 %"),
    ("JKK", PU, None, 2, 1_002_500, date(2023, 5, 1), (5_414, 0, 0), f"{JKK_PU}: 0,54 %"),
    ("JKK", PU, None, 3, 1_005_000, date(2023, 5, 1), (8_945, 0, 0), f"{JKK_PU}: 0,89 %"),
    ("JKK", PU, None, 4, 1_005_000, date(2023, 5, 1), (12_764, 0, 0), f"{JKK_PU}: 1,27 %"),
    ("JKK", PU, None, 5, 1_002_500, date(2023, 5, 1), (17_444, 0, 0), f"{JKK_PU}: 1,74 %"),
    # No wage, or Rp1: 0 x 0.24 % = 0; 1 x 1.74 % = 0.0174 -> 0.
    ("JKK", PU, None, 1, 0, date(2025, 8, 1), (0, 0, 0), f"{JKK_PU}: 0 x 0,24 %"),
    ("JKK", PU, None, 5, 1, date(2025, 8, 1), (0, 0, 0), f"{JKK_PU}: 1 x 1,74 %"),
    # In the COVID-19 window the rate of PP 44/2015 (the relief is not a rate): 4,000,000 x 0.24 %.
    ("JKK", PU, None, 1, 4_000_000, date(2020, 9, 1), (9_600, 0, 0), f"{JKK_PU}; {COVID}"),
    # City-funded wage earners (non-ASN, APBD): the city's risk class 1; the city pays it all.
    ("JKK", NON_ASN, None, None, 3_000_000, date(2025, 8, 1), (0, 0, 7_200), f"{JKK_PU}: 0,24 %"),
    # 4,321,987 x 0.24 % = 10,372.77.
    ("JKK", NON_ASN, None, None, 4_321_987, TODAY, (0, 0, 10_373), f"{JKK_PU}: 0,24 %"),
    # Non-wage earners: 1 % of the declared income, at least 10,000, at most 207,000.
    ("JKK", RENTAN, None, None, 1_000_000, date(2015, 6, 30), REFUSED, "PP 44/2015 from 1-7-2015"),
    ("JKK", RENTAN, None, None, 500_000, date(2025, 8, 1), (0, 0, 10_000), f"{JKK_BPU}: minimum"),
    ("JKK", RENTAN, None, None, 1_000_000, date(2025, 8, 1), (0, 0, 10_000), JKK_BPU),
    ("JKK", RENTAN, None, None, 2_500_000, date(2025, 8, 1), (0, 0, 25_000), JKK_BPU),
    ("JKK", RENTAN, None, None, 20_700_000, date(2025, 8, 1), (0, 0, 207_000), f"{JKK_BPU}: top"),
    ("JKK", RENTAN, None, None, 30_000_000, date(2025, 8, 1), (0, 0, 207_000), f"{JKK_BPU}: max"),
    # 999,949 x 1 % = 9,999.49 -> 9,999, below the minimum; 1,000,050 x 1 % = 10,000.5 -> 10,001.
    ("JKK", RENTAN, None, None, 999_949, TODAY, (0, 0, 10_000), f"{JKK_BPU}: minimum"),
    ("JKK", RENTAN, None, None, 1_000_050, TODAY, (0, 0, 10_001), f"{JKK_BPU}: half up"),
    # 20,650,050 x 1 % = 206,500.5 -> 206,501, under the maximum.
    ("JKK", RENTAN, None, None, 20_650_050, TODAY, (0, 0, 206_501), f"{JKK_BPU}: half up"),
    ("JKK", KADER, None, None, 0, TODAY, (0, 0, 10_000), f"{JKK_BPU}: 0 -> minimum"),
    ("JKK", KEAGAMAAN, None, None, 1, TODAY, (0, 0, 10_000), f"{JKK_BPU}: 1 -> minimum"),
    ("JKK", RT_RW, None, None, 1_500_000, date(2015, 7, 1), (0, 0, 15_000), JKK_BPU),
    ("JKK", RENTAN, SPONSOR, None, 2_000_000, TODAY, (0, 0, 20_000), f"{JKK_BPU}: sponsor"),
    # A non-wage earner who pays for themselves (mandiri).
    ("JKK", RENTAN, MANDIRI, None, 1_500_000, date(2025, 8, 1), (0, 15_000, 0), JKK_BPU),
    ("JKK", KADER, MANDIRI, None, 30_000_000, TODAY, (0, 207_000, 0), f"{JKK_BPU}: maximum"),
]
JKM_CASES = [
    ("JKM", PU, None, 1, 4_000_000, date(2015, 6, 30), REFUSED, "PP 44/2015 in force 1-7-2015"),
    (
        "JKM",
        PU,
        None,
        1,
        3_500_000,
        date(2015, 7, 1),
        (10_500, 0, 0),
        f"{JKM_PU}: 3,500,000 x 0,30 %",
    ),
    ("JKM", PU, None, 1, 4_000_000, date(2025, 8, 1), (12_000, 0, 0), JKM_PU),
    # The same 0.30 % whatever the JKK risk class.
    ("JKM", PU, None, 3, 4_000_000, date(2025, 8, 1), (12_000, 0, 0), f"{JKM_PU}: class 3"),
    ("JKM", PU, None, 5, 4_000_000, date(2025, 8, 1), (12_000, 0, 0), f"{JKM_PU}: class 5"),
    # JKP's recomposition (0.10 % of JKM until 6-2-2025) is taken out of this 0.30 %, not added to it.
    ("JKM", PU, None, 1, 4_000_000, date(2025, 2, 6), (12_000, 0, 0), f"{JKM_PU}; PP 37/2021"),
    ("JKM", PU, None, 1, 4_000_000, date(2025, 2, 7), (12_000, 0, 0), f"{JKM_PU}; PP 6/2025"),
    # No cap: 10,000,000 and 20,000,000 x 0.30 %.
    ("JKM", PU, None, 1, 10_000_000, date(2019, 1, 1), (30_000, 0, 0), f"{JKM_PU}: no cap"),
    ("JKM", PU, None, 1, 20_000_000, TODAY, (60_000, 0, 0), f"{JKM_PU}: no cap"),
    # Rounding: 0 -> 0; 1 x 0.30 % = 0.003 -> 0; 166 -> 0.498 -> 0; 167 -> 0.501 -> 1; 500 -> 1.5 -> 2;
    # 1,000,500 -> 3,001.5 -> 3,002; 3,333,333 -> 9,999.999 -> 10,000; 4,321,987 -> 12,965.961 -> 12,966;
    # 5,123,457 -> 15,370.371 -> 15,370.
    ("JKM", PU, None, 1, 0, date(2025, 8, 1), (0, 0, 0), f"{JKM_PU}: 0"),
    ("JKM", PU, None, 1, 1, date(2025, 8, 1), (0, 0, 0), f"{JKM_PU}: 1"),
    ("JKM", PU, None, 1, 166, date(2025, 8, 1), (0, 0, 0), f"{JKM_PU}: 0.498"),
    ("JKM", PU, None, 1, 167, date(2025, 8, 1), (1, 0, 0), f"{JKM_PU}: 0.501"),
    ("JKM", PU, None, 1, 500, date(2025, 8, 1), (2, 0, 0), f"{JKM_PU}: 1.5 half up"),
    ("JKM", PU, None, 2, 1_000_500, TODAY, (3_002, 0, 0), f"{JKM_PU}: 3,001.5 half up"),
    ("JKM", PU, None, 1, 3_333_333, TODAY, (10_000, 0, 0), f"{JKM_PU}: 9,999.999"),
    ("JKM", PU, None, 4, 4_321_987, TODAY, (12_966, 0, 0), f"{JKM_PU}: 12,965.961"),
    ("JKM", PU, None, 1, 5_123_457, TODAY, (15_370, 0, 0), f"{JKM_PU}: 15,370.371"),
    ("JKM", PU, None, 1, 4_000_000, date(2020, 10, 1), (12_000, 0, 0), f"{JKM_PU}; {COVID}"),
    # City-funded wage earners: the city pays it.
    ("JKM", NON_ASN, None, None, 3_000_000, date(2025, 8, 1), (0, 0, 9_000), JKM_PU),
    ("JKM", NON_ASN, None, None, 2_000_000, date(2015, 7, 1), (0, 0, 6_000), JKM_PU),
    ("JKM", NON_ASN, None, None, 4_321_987, TODAY, (0, 0, 12_966), f"{JKM_PU}: 12,965.961"),
    # Non-wage earners: Rp6,800 whatever the declared income.
    ("JKM", RENTAN, None, None, 1_000_000, date(2015, 6, 30), REFUSED, "PP 44/2015 from 1-7-2015"),
    ("JKM", RENTAN, None, None, 1_000_000, date(2015, 7, 1), (0, 0, 6_800), JKM_BPU),
    ("JKM", RENTAN, None, None, 1_000_000, date(2025, 8, 1), (0, 0, 6_800), JKM_BPU),
    ("JKM", RENTAN, None, None, 0, TODAY, (0, 0, 6_800), f"{JKM_BPU}: no income"),
    ("JKM", RENTAN, None, None, 30_000_000, TODAY, (0, 0, 6_800), f"{JKM_BPU}: fixed"),
    ("JKM", RENTAN, None, None, 1_000_000, date(2020, 9, 1), (0, 0, 6_800), f"{JKM_BPU}; {COVID}"),
    ("JKM", RT_RW, None, None, 1_500_000, TODAY, (0, 0, 6_800), JKM_BPU),
    ("JKM", KADER, None, None, 1_000_000, TODAY, (0, 0, 6_800), JKM_BPU),
    ("JKM", KEAGAMAAN, None, None, 2_000_000, TODAY, (0, 0, 6_800), JKM_BPU),
    ("JKM", RENTAN, SPONSOR, None, 2_000_000, TODAY, (0, 0, 6_800), f"{JKM_BPU}: sponsor"),
    ("JKM", RENTAN, MANDIRI, None, 1_500_000, date(2025, 8, 1), (0, 6_800, 0), JKM_BPU),
    ("JKM", RT_RW, MANDIRI, None, 5_000_000, TODAY, (0, 6_800, 0), JKM_BPU),
]
JHT_CASES = [
    ("JHT", PU, None, 1, 4_000_000, date(2015, 6, 30), REFUSED, "PP 46/2015 in force 1-7-2015"),
    # 3,500,000 x 3.7 % = 129,500; x 2 % = 70,000.
    ("JHT", PU, None, 1, 3_500_000, date(2015, 7, 1), (129_500, 70_000, 0), JHT_PU),
    ("JHT", PU, None, 1, 4_000_000, date(2025, 8, 1), (148_000, 80_000, 0), JHT_PU),
    ("JHT", PU, None, 5, 4_000_000, date(2025, 8, 1), (148_000, 80_000, 0), f"{JHT_PU}: class 5"),
    # 3.7 % of 4,321,987 = 159,913.52 -> 159,914; 2 % = 86,439.74 -> 86,440 (5.7 % whole would be 246,353).
    ("JHT", PU, None, 1, 4_321_987, date(2025, 8, 1), (159_914, 86_440, 0), JHT_PU),
    # No cap: 10,000,000 -> 370,000 + 200,000; 20,000,000 -> 740,000 + 400,000.
    ("JHT", PU, None, 1, 10_000_000, date(2021, 3, 1), (370_000, 200_000, 0), f"{JHT_PU}: no cap"),
    ("JHT", PU, None, 1, 20_000_000, TODAY, (740_000, 400_000, 0), f"{JHT_PU}: no cap"),
    # 5,123,457 x 3.7 % = 189,567.909 -> 189,568; x 2 % = 102,469.14 -> 102,469.
    ("JHT", PU, None, 2, 5_123_457, TODAY, (189_568, 102_469, 0), JHT_PU),
    # 7,654,321 x 3.7 % = 283,209.877 -> 283,210; x 2 % = 153,086.42 -> 153,086.
    ("JHT", PU, None, 1, 7_654_321, TODAY, (283_210, 153_086, 0), JHT_PU),
    # Half a Rupiah: 1,000,500 x 3.7 % = 37,018.5 -> 37,019 (2 % = 20,010);
    # 1,000,025 x 2 % = 20,000.5 -> 20,001 (3.7 % = 37,000.925 -> 37,001).
    ("JHT", PU, None, 1, 1_000_500, date(2022, 7, 1), (37_019, 20_010, 0), f"{JHT_PU}: half up"),
    ("JHT", PU, None, 1, 1_000_025, date(2022, 7, 1), (37_001, 20_001, 0), f"{JHT_PU}: half up"),
    # Small wages: 0; 1 (0.037 and 0.02 -> 0); 14 (0.518 -> 1, 0.28 -> 0); 25 (0.925 -> 1, 0.5 -> 1).
    ("JHT", PU, None, 1, 0, date(2025, 8, 1), (0, 0, 0), f"{JHT_PU}: 0"),
    ("JHT", PU, None, 1, 1, date(2025, 8, 1), (0, 0, 0), f"{JHT_PU}: 1"),
    ("JHT", PU, None, 1, 14, date(2025, 8, 1), (1, 0, 0), f"{JHT_PU}: 14"),
    ("JHT", PU, None, 1, 25, date(2025, 8, 1), (1, 1, 0), f"{JHT_PU}: 25"),
    (
        "JHT",
        PU,
        None,
        1,
        4_000_000,
        date(2020, 9, 1),
        (148_000, 80_000, 0),
        f"{JHT_PU}: PP 49/2020 defers no JHT",
    ),
    # City-funded non-ASN staff: the worker pays their own 2 %, the city the 3.7 %.
    ("JHT", NON_ASN, None, None, 3_000_000, date(2025, 8, 1), (0, 60_000, 111_000), JHT_PU),
    ("JHT", NON_ASN, None, None, 2_000_000, date(2015, 7, 1), (0, 40_000, 74_000), JHT_PU),
    ("JHT", NON_ASN, None, None, 4_321_987, TODAY, (0, 86_440, 159_914), f"{JHT_PU}: shares apart"),
    # Non-wage earners: 2 % of the declared income, at least 20,000; no maximum.
    ("JHT", RENTAN, None, None, 1_000_000, date(2015, 6, 30), REFUSED, "PP 46/2015 from 1-7-2015"),
    ("JHT", RENTAN, None, None, 500_000, date(2025, 8, 1), (0, 0, 20_000), f"{JHT_BPU}: minimum"),
    ("JHT", RENTAN, None, None, 1_000_000, date(2025, 8, 1), (0, 0, 20_000), JHT_BPU),
    ("JHT", RENTAN, None, None, 3_000_000, date(2025, 8, 1), (0, 0, 60_000), JHT_BPU),
    ("JHT", RENTAN, None, None, 0, TODAY, (0, 0, 20_000), f"{JHT_BPU}: 0 -> minimum"),
    # 999,999 x 2 % = 19,999.98 -> 20,000; 1,000,025 x 2 % = 20,000.5 -> 20,001; 2,345,678 -> 46,913.56.
    ("JHT", RENTAN, None, None, 999_999, TODAY, (0, 0, 20_000), f"{JHT_BPU}: 19,999.98"),
    ("JHT", RENTAN, None, None, 1_000_025, TODAY, (0, 0, 20_001), f"{JHT_BPU}: half up"),
    ("JHT", RENTAN, None, None, 2_345_678, TODAY, (0, 0, 46_914), f"{JHT_BPU}: 46,913.56"),
    ("JHT", RENTAN, None, None, 20_700_000, TODAY, (0, 0, 414_000), f"{JHT_BPU}: no maximum"),
    ("JHT", RT_RW, None, None, 1_500_000, date(2015, 7, 1), (0, 0, 30_000), JHT_BPU),
    ("JHT", KADER, None, None, 1_000_000, TODAY, (0, 0, 20_000), JHT_BPU),
    ("JHT", KEAGAMAAN, None, None, 2_000_000, TODAY, (0, 0, 40_000), JHT_BPU),
    ("JHT", RENTAN, SPONSOR, None, 2_500_000, TODAY, (0, 0, 50_000), f"{JHT_BPU}: sponsor"),
    ("JHT", RENTAN, MANDIRI, None, 1_000_000, TODAY, (0, 20_000, 0), JHT_BPU),
    # 3,210,987 x 2 % = 64,219.74 -> 64,220.
    ("JHT", RENTAN, MANDIRI, None, 3_210_987, TODAY, (0, 64_220, 0), JHT_BPU),
]
JP_CASES = [
    # 2 % and 1 % of the wage capped at the cap in force (wage 10,000,000 / 20,000,000).
    ("JP", PU, None, 1, 10_000_000, date(2015, 6, 30), REFUSED, "PP 45/2015: JP from 1-7-2015"),
    ("JP", PU, None, 1, 10_000_000, date(2015, 7, 1), (140_000, 70_000, 0), f"{JP}: 7.000.000"),
    ("JP", PU, None, 1, 10_000_000, date(2016, 2, 29), (140_000, 70_000, 0), f"{JP}: 7.000.000"),
    ("JP", PU, None, 1, 10_000_000, date(2016, 3, 1), (146_706, 73_353, 0), f"{JP}: 7.335.300"),
    ("JP", PU, None, 1, 10_000_000, date(2017, 2, 28), (146_706, 73_353, 0), f"{JP}: 7.335.300"),
    ("JP", PU, None, 1, 10_000_000, date(2017, 3, 1), (154_070, 77_035, 0), f"{JP}: 7.703.500"),
    ("JP", PU, None, 1, 10_000_000, date(2018, 2, 28), (154_070, 77_035, 0), f"{JP}: 7.703.500"),
    ("JP", PU, None, 1, 10_000_000, date(2018, 3, 1), (161_880, 80_940, 0), f"{JP}: 8.094.000"),
    ("JP", PU, None, 1, 10_000_000, date(2019, 2, 28), (161_880, 80_940, 0), f"{JP}: 8.094.000"),
    ("JP", PU, None, 1, 10_000_000, date(2019, 3, 1), (170_248, 85_124, 0), f"{JP}: 8.512.400"),
    ("JP", PU, None, 1, 10_000_000, date(2020, 2, 29), (170_248, 85_124, 0), f"{JP}: 8.512.400"),
    ("JP", PU, None, 1, 10_000_000, date(2020, 3, 1), (178_794, 89_397, 0), f"{JP}: 8.939.700"),
    ("JP", PU, None, 1, 10_000_000, date(2021, 2, 28), (178_794, 89_397, 0), f"{JP}: 8.939.700"),
    ("JP", PU, None, 1, 10_000_000, date(2021, 3, 1), (175_092, 87_546, 0), f"{JP}: 8.754.600"),
    ("JP", PU, None, 1, 10_000_000, date(2022, 2, 28), (175_092, 87_546, 0), f"{JP}: 8.754.600"),
    ("JP", PU, None, 1, 10_000_000, date(2022, 3, 1), (181_552, 90_776, 0), f"{JP}: 9.077.600"),
    ("JP", PU, None, 1, 10_000_000, date(2023, 2, 28), (181_552, 90_776, 0), f"{JP}: 9.077.600"),
    ("JP", PU, None, 1, 10_000_000, date(2023, 3, 1), (191_192, 95_596, 0), f"{JP}: 9.559.600"),
    ("JP", PU, None, 1, 20_000_000, date(2024, 2, 29), (191_192, 95_596, 0), f"{JP}: 9.559.600"),
    ("JP", PU, None, 1, 20_000_000, date(2024, 3, 1), (200_846, 100_423, 0), f"{JP}: 10.042.300"),
    ("JP", PU, None, 1, 20_000_000, date(2025, 2, 28), (200_846, 100_423, 0), f"{JP}: 10.042.300"),
    ("JP", PU, None, 1, 20_000_000, date(2025, 3, 1), (210_948, 105_474, 0), f"{JP}: 10.547.400"),
    # No 2026 cap was found (decision 40): today the 2025 cap still applies.
    ("JP", PU, None, 1, 20_000_000, TODAY, (210_948, 105_474, 0), f"{JP}: 10.547.400"),
    ("JP", PU, None, 1, 4_000_000, date(2025, 8, 1), (80_000, 40_000, 0), f"{JP}: below the cap"),
    # At the cap and one Rupiah above it: 2 % and 1 % of 10,547,400.
    ("JP", PU, None, 1, 10_547_400, date(2025, 3, 1), (210_948, 105_474, 0), f"{JP}: at the cap"),
    ("JP", PU, None, 1, 10_547_401, date(2025, 3, 1), (210_948, 105_474, 0), f"{JP}: cap + 1"),
    # 7,000,001 in 2015: capped at 7,000,000. 7,335,299 in March 2016, under 7,335,300:
    # 2 % = 146,705.98 -> 146,706; 1 % = 73,352.99 -> 73,353.
    ("JP", PU, None, 1, 7_000_001, date(2015, 7, 1), (140_000, 70_000, 0), f"{JP}: cap + 1"),
    ("JP", PU, None, 1, 7_335_299, date(2016, 3, 1), (146_706, 73_353, 0), f"{JP}: cap - 1"),
    # 4,321,987: 2 % = 86,439.74 -> 86,440; 1 % = 43,219.87 -> 43,220.
    ("JP", PU, None, 3, 4_321_987, date(2025, 8, 1), (86_440, 43_220, 0), f"{JP}: odd Rupiah"),
    # Half a Rupiah: 1,000,025 x 2 % = 20,000.5 -> 20,001 (1 % = 10,000.25 -> 10,000);
    # 1,000,050 x 1 % = 10,000.5 -> 10,001 (2 % = 20,001).
    ("JP", PU, None, 1, 1_000_025, date(2022, 7, 1), (20_001, 10_000, 0), f"{JP}: half up"),
    ("JP", PU, None, 1, 1_000_050, date(2022, 7, 1), (20_001, 10_001, 0), f"{JP}: half up"),
    ("JP", PU, None, 1, 0, date(2025, 8, 1), (0, 0, 0), f"{JP}: 0"),
    ("JP", PU, None, 1, 1, date(2025, 8, 1), (0, 0, 0), f"{JP}: 1 -> 0.02 and 0.01"),
    # PP 49/2020 deferred part of the JP payment; the amount owed did not change.
    (
        "JP",
        PU,
        None,
        1,
        4_000_000,
        date(2020, 9, 1),
        (80_000, 40_000, 0),
        f"{JP}; PP 49/2020 deferred payment only",
    ),
    # City-funded non-ASN staff: their own 1 %, the city the 2 %.
    (
        "JP",
        NON_ASN,
        None,
        None,
        3_000_000,
        date(2019, 5, 1),
        (0, 30_000, 60_000),
        f"{JP}: 8.512.400",
    ),
    (
        "JP",
        NON_ASN,
        None,
        None,
        20_000_000,
        date(2025, 8, 1),
        (0, 105_474, 210_948),
        f"{JP}: capped",
    ),
    ("JP", RENTAN, None, None, 3_000_000, date(2025, 8, 1), REFUSED, WAGE_EARNERS),
    ("JP", KADER, MANDIRI, None, 3_000_000, TODAY, REFUSED, WAGE_EARNERS),
]
BUSINESS_WORKERS = "PP 37/2021 Pasal 1 angka 3 (Pengusaha), Pasal 2 (peserta: pekerja Pengusaha)"
JKP_CASES = [
    # The government's, on the wage capped at 5,000,000.
    ("JKP", PU, None, 1, 10_000_000, date(2021, 2, 1), REFUSED, "PP 37/2021 from 2-2-2021"),
    ("JKP", PU, None, 1, 4_000_000, date(2020, 9, 1), REFUSED, "PP 37/2021 from 2-2-2021"),
    # 0.46 %: 10,000,000 and 5,000,001 capped -> 23,000; 5,000,000 -> 23,000; 4,000,000 -> 18,400.
    ("JKP", PU, None, 1, 10_000_000, date(2021, 2, 2), (0, 0, 23_000), JKP_2021),
    ("JKP", PU, None, 1, 5_000_001, date(2021, 2, 2), (0, 0, 23_000), f"{JKP_2021}: cap + 1"),
    ("JKP", PU, None, 1, 5_000_000, date(2021, 2, 2), (0, 0, 23_000), f"{JKP_2021}: at the cap"),
    ("JKP", PU, None, 1, 4_000_000, date(2021, 2, 2), (0, 0, 18_400), JKP_2021),
    ("JKP", PU, None, 1, 0, date(2021, 2, 2), (0, 0, 0), f"{JKP_2021}: 0"),
    # 1 x 0.46 % = 0.0046 -> 0; 4,999,999 -> 22,999.9954 -> 23,000; 3,210,987 -> 14,770.54 -> 14,771;
    # 1,002,500 -> 4,611.5 -> 4,612.
    ("JKP", PU, None, 1, 1, date(2021, 6, 1), (0, 0, 0), f"{JKP_2021}: 1"),
    ("JKP", PU, None, 1, 4_999_999, date(2024, 2, 29), (0, 0, 23_000), f"{JKP_2021}: 22,999.9954"),
    ("JKP", PU, None, 2, 3_210_987, date(2022, 6, 1), (0, 0, 14_771), f"{JKP_2021}: 14,770.54"),
    ("JKP", PU, None, 1, 1_002_500, date(2022, 6, 1), (0, 0, 4_612), f"{JKP_2021}: half up"),
    # Whatever the risk class or the JP cap of the day.
    ("JKP", PU, None, 5, 4_000_000, date(2023, 3, 1), (0, 0, 18_400), f"{JKP_2021}: class 5"),
    ("JKP", PU, None, 1, 20_000_000, date(2023, 3, 1), (0, 0, 23_000), f"{JKP_2021}: capped"),
    # The change: 6-2-2025 is the last day of 0.46 %, 7-2-2025 the first of 0.36 %.
    ("JKP", PU, None, 1, 4_000_000, date(2025, 2, 6), (0, 0, 18_400), JKP_2021),
    ("JKP", PU, None, 1, 4_000_000, date(2025, 2, 7), (0, 0, 14_400), JKP_2025),
    ("JKP", PU, None, 1, 5_000_000, date(2025, 2, 6), (0, 0, 23_000), JKP_2021),
    ("JKP", PU, None, 1, 5_000_000, date(2025, 2, 7), (0, 0, 18_000), JKP_2025),
    ("JKP", PU, None, 1, 10_000_000, date(2025, 2, 6), (0, 0, 23_000), f"{JKP_2021}: capped"),
    ("JKP", PU, None, 1, 10_000_000, date(2025, 2, 7), (0, 0, 18_000), f"{JKP_2025}: capped"),
    ("JKP", PU, None, 1, 20_000_000, date(2025, 8, 1), (0, 0, 18_000), JKP_2025),
    ("JKP", PU, None, 1, 3_000_000, TODAY, (0, 0, 10_800), JKP_2025),
    ("JKP", PU, None, 1, 0, TODAY, (0, 0, 0), f"{JKP_2025}: 0"),
    # 4,321,987 x 0.36 % = 15,559.15 -> 15,559; 1,001,250 -> 3,604.5 -> 3,605; 1 -> 0.0036 -> 0.
    ("JKP", PU, None, 4, 4_321_987, TODAY, (0, 0, 15_559), f"{JKP_2025}: 15,559.15"),
    ("JKP", PU, None, 1, 1_001_250, TODAY, (0, 0, 3_605), f"{JKP_2025}: half up"),
    ("JKP", PU, None, 1, 1, TODAY, (0, 0, 0), f"{JKP_2025}: 1"),
    ("JKP", PU, None, 3, 5_000_001, TODAY, (0, 0, 18_000), f"{JKP_2025}: cap + 1"),
    ("JKP", PU, None, 1, 4_999_999, TODAY, (0, 0, 18_000), f"{JKP_2025}: 17,999.9964"),
    # Staff of a city office (the city pays the employer's part) or paid by a sponsor: not a Pengusaha's.
    ("JKP", NON_ASN, None, None, 3_000_000, TODAY, REFUSED, BUSINESS_WORKERS),
    ("JKP", NON_ASN, None, None, 4_000_000, date(2021, 2, 2), REFUSED, BUSINESS_WORKERS),
    ("JKP", PU, SPONSOR, 1, 4_000_000, TODAY, REFUSED, BUSINESS_WORKERS),
    # Non-wage earners have no JKP.
    ("JKP", RENTAN, None, None, 3_000_000, date(2025, 8, 1), REFUSED, WAGE_EARNERS),
    ("JKP", KADER, None, None, 3_000_000, TODAY, REFUSED, WAGE_EARNERS),
    ("JKP", RT_RW, MANDIRI, None, 3_000_000, date(2021, 2, 2), REFUSED, WAGE_EARNERS),
]
CASES = [*JKK_CASES, *JKM_CASES, *JHT_CASES, *JP_CASES, *JKP_CASES]
CASE_IDS = [f"{c[0]}-{c[1]}-{c[2] or ''}-{c[3] or ''}-{c[4]}-{c[5]}" for c in CASES]


def _funding(segment, code):
    return FundingScheme.objects.get(code=code) if code else segment.default_funding_scheme


def test_each_program_has_thirty_cases_and_both_sides_of_every_rate_change():
    counts = Counter(case[0] for case in CASES)
    assert all(counts[code] >= 30 for code in ("JKK", "JKM", "JHT", "JP", "JKP")), counts
    for rate in ContributionRate.objects.select_related("program"):
        days = {case[5] for case in CASES if case[0] == rate.program.code}
        assert {rate.valid_from, rate.valid_from - timedelta(days=1)} <= days, rate


@pytest.mark.parametrize(
    ("program", "segment", "funding", "risk", "wage", "day", "split", "basis"), CASES, ids=CASE_IDS
)
def test_each_case_through_the_calculator_the_command_and_the_enrolment(
    program, segment, funding, risk, wage, day, split, basis
):
    segment = Segment.objects.select_related("default_funding_scheme").get(code=segment)
    scheme = _funding(segment, funding)
    [answer] = quote([program], segment, wage, day, risk_class=risk, funding_scheme=scheme)
    argv = ["--programs", program, "--segment", segment.code, "--wage", str(wage)]
    argv += ["--date", day.isoformat(), "--format", "json"]
    argv += ["--risk-class", str(risk)] if risk else []
    argv += ["--funding", funding] if funding else []
    out = StringIO()
    call_command("contribution", *argv, stdout=out)
    [row] = json.loads(out.getvalue())["programs"]
    employer = factories.make_employer(risk_class=risk) if segment.code == PU else None
    request = services.EnrolmentRequest(
        programs=[Program.objects.get(code=program)],
        segment=segment,
        funding_scheme=scheme,
        start_date=day,
        wage=wage,
        employer=employer,
    )
    if split is REFUSED:
        assert answer.contribution is None and answer.refused, basis
        assert row["refused"]
        with pytest.raises(ValidationError):
            services.enrol_worker(
                factories.make_worker(), request, acting_user=None, channel=Channel.ADMIN
            )
        return
    c = answer.contribution
    assert (c.employer, c.worker, c.government) == split, basis
    assert c.amount == sum(split)
    assert (row["employer"], row["worker"], row["government"], row["amount"]) == (
        *split,
        sum(split),
    )
    worker = factories.make_worker()
    if employer is not None:  # a membership through an employer starts within a job with it
        factories.make_employment(worker, employer, start_date=day)
    [membership] = services.enrol_worker(worker, request, acting_user=None, channel=Channel.ADMIN)
    stored = (membership.employer_share, membership.worker_share, membership.government_share)
    assert stored == split and membership.monthly_contribution == sum(split), basis
    assert membership.wage == wage


def test_the_json_contract_of_the_command():
    out = StringIO()
    argv = ["--programs", "JP,JKP", "--segment", PU, "--wage", "20000000", "--date", "2025-08-01"]
    call_command("contribution", *argv, "--risk-class", "1", "--format", "json", stdout=out)
    result = json.loads(out.getvalue())
    jp, jkp = result["programs"]
    assert {k: jp[k] for k in ("program", "amount", "employer", "worker", "government", "base", "rate")} == {
        "program": "JP", "amount": 316_422, "employer": 210_948, "worker": 105_474, "government": 0,
        "base": 10_547_400, "rate": "3.00",
    }  # fmt: skip
    assert jkp["government"] == 18_000 and jkp["employer"] == 0
    assert (result["employer_total"], result["worker_total"]) == (210_948, 105_474)
    out = StringIO()
    argv = ["--programs", "JP", "--segment", RENTAN, "--wage", "1", "--date", "2025-08-01"]
    call_command("contribution", *argv, "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["programs"] == [
        {"program": "JP", "refused": "JP hanya untuk pekerja penerima upah."}
    ]


def test_a_back_dated_jp_enrolment_in_2019_takes_that_years_cap():
    segment = Segment.objects.get(code=PU)
    request = services.EnrolmentRequest(
        programs=[Program.objects.get(code="JP")],
        segment=segment,
        funding_scheme=segment.default_funding_scheme,
        start_date=date(2019, 6, 1),
        wage=9_000_000,
        employer=factories.make_employer(),
    )
    worker = factories.make_worker()
    factories.make_employment(worker, request.employer, start_date=date(2019, 6, 1))
    [jp] = services.enrol_worker(worker, request, acting_user=None, channel=Channel.ADMIN)
    assert (jp.employer_share, jp.worker_share) == (170_248, 85_124)  # 2 % and 1 % of 8,512,400


def test_a_city_funded_wage_earner_without_employer_is_enrolled_with_the_citys_risk_class():
    segment = Segment.objects.get(code=NON_ASN)
    request = services.EnrolmentRequest(
        programs=list(Program.objects.filter(code__in=["JKK", "JKM"])),
        segment=segment,
        funding_scheme=segment.default_funding_scheme,
        start_date=date(2025, 8, 1),
        wage=3_000_000,
    )
    memberships = services.enrol_worker(
        factories.make_worker(), request, acting_user=None, channel=Channel.ADMIN
    )
    assert sorted(m.government_share for m in memberships) == [7_200, 9_000]
    assert all(m.employer_share == 0 for m in memberships)


def test_a_wage_earner_without_employer_or_risk_class_is_refused_jkk_in_words():
    scheme = FundingScheme.objects.get(code="APBD")
    scheme.risk_class = None
    scheme.save()
    segment = Segment.objects.get(code=NON_ASN)
    [answer] = quote(["JKK"], segment, 3_000_000, date(2025, 8, 1))
    assert "kelas risiko" in answer.refused


def _open_jp(wage):
    worker, employer = factories.make_worker(), factories.make_employer()
    factories.make_employment(worker, employer, start_date=date(2024, 1, 1), monthly_wage=wage)
    segment = Segment.objects.get(code=PU)
    request = services.EnrolmentRequest(
        programs=[Program.objects.get(code="JP")],
        segment=segment,
        funding_scheme=segment.default_funding_scheme,
        start_date=date(2025, 8, 1),
        wage=wage,
        employer=employer,
    )
    [jp] = services.enrol_worker(worker, request, acting_user=None, channel=Channel.ADMIN)
    return jp


def test_a_new_cap_reaches_open_memberships_after_a_preview(administrator):
    above, below = _open_jp(20_000_000), _open_jp(4_000_000)
    ContributionRate.objects.filter(program__code="JP", valid_from=date(2025, 3, 1)).update(
        valid_to=date(2026, 2, 28)
    )
    ContributionRate.objects.create(
        program=Program.objects.get(code="JP"), segment_kind="PU", percent_of_wage=3, worker_percent=1,
        wage_cap=11_000_000, valid_from=date(2026, 3, 1), legal_basis="test",
    )  # fmt: skip
    jp = Membership.objects.filter(program__code="JP")
    preview = recompute_contributions(
        jp, since=date(2026, 3, 1), acting_user=administrator, channel=Channel.ADMIN, apply=False
    )
    assert (preview.examined, preview.changed) == (2, 1)
    assert (preview.before, preview.after) == (
        316_422,
        330_000,
    )  # 3 % of 10,547,400 -> of 11,000,000
    above.refresh_from_db()
    assert above.monthly_contribution == 316_422  # a preview writes nothing
    done = recompute_contributions(
        jp, since=date(2026, 3, 1), acting_user=administrator, channel=Channel.ADMIN
    )
    assert done.changed == 1
    above.refresh_from_db()
    below.refresh_from_db()
    assert (above.employer_share, above.worker_share) == (220_000, 110_000)
    assert below.monthly_contribution == 120_000
    latest = above.history.first()
    assert latest.history_user == administrator and latest.history_channel == Channel.ADMIN


def test_the_command_previews_and_applies():
    _open_jp(20_000_000)
    ContributionRate.objects.filter(program__code="JP", valid_from=date(2025, 3, 1)).update(
        wage_cap=11_000_000
    )
    out = StringIO()
    call_command("recompute_contributions", "--from", "2025-08-01", "--dry-run", stdout=out)
    assert "1 dari" in out.getvalue() or "1 of" in out.getvalue()
    assert Membership.objects.get(program__code="JP").monthly_contribution == 316_422
    call_command(
        "recompute_contributions", "--from", "2025-08-01", "--programs", "JP", stdout=StringIO()
    )
    assert Membership.objects.get(program__code="JP").monthly_contribution == 330_000


def test_a_wage_change_recomputes_that_workers_memberships(administrator):
    jp = _open_jp(4_000_000)
    employment = jp.worker.employments.get()
    services.update_employment(
        employment, acting_user=administrator, channel=Channel.ADMIN,
        start_date=employment.start_date, monthly_wage=5_000_000,
    )  # fmt: skip
    jp.refresh_from_db()
    assert (jp.employer_share, jp.worker_share, jp.wage) == (100_000, 50_000, 5_000_000)


def test_the_portal_home_shows_the_employers_bill_without_jkp(client, employer_a_user, employer_a):
    worker = factories.make_worker()
    factories.make_employment(
        worker, employer_a, start_date=date(2025, 1, 1), monthly_wage=4_000_000
    )
    segment = Segment.objects.get(code=PU)
    request = services.EnrolmentRequest(
        programs=list(Program.objects.filter(code__in=["JKK", "JKM", "JHT", "JKP"])),
        segment=segment,
        funding_scheme=segment.default_funding_scheme,
        start_date=date(2025, 8, 1),
        wage=4_000_000,
        employer=employer_a,
    )
    services.enrol_worker(worker, request, acting_user=None, channel=Channel.ADMIN)
    client.force_login(employer_a_user)
    page = client.get(reverse("portal:home")).content.decode()
    # JKK 0.24 % 9,600 + JKM 12,000 + JHT 3.7 % 148,000 = 169,600; the worker's JHT 80,000; JKP 14,400.
    assert "Rp169.600" in page and "Rp80.000" in page and "Rp14.400" in page
    detail = client.get(reverse("portal:worker", kwargs={"pk": worker.pk})).content.decode()
    assert "Rp148.000" in detail


@pytest.mark.parametrize("persona", ["employer_a_user", "administrator", "operator"])
def test_employers_and_staff_open_the_calculator(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(
        reverse("contribution"),
        {
            "segment": PU,
            "wage": "20000000",
            "on": "2025-08-01",
            "risk_class": "1",
            "programs": ["JP"],
        },
    )
    assert page.status_code == 200
    assert "Rp316.422" in page.content.decode()


def test_managers_and_visitors_do_not_get_the_calculator(client, manager):
    assert client.get(reverse("contribution")).status_code == 302
    client.force_login(manager)
    assert client.get(reverse("contribution")).status_code == 404
