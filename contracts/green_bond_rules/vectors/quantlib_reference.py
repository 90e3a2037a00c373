#!/usr/bin/env python3
"""Reference day counts and coupon schedules from QuantLib, for the green bond's rules.

Writes, next to this script:
- daycounts.csv: year fractions of 30/360 (Bond Basis), 30E/360, ACT/365F and ACT/360 for every
  start date in February 2023 and in all of 2024 (a leap year) and ten spans each, month ends,
  the 29th, 30th and 31st included.
- schedules.csv: the coupon periods of bonds maturing on month ends (February 28 and 29, 30th
  and 31st), on the 29th, 30th, 1st and 15th, each issued on the grid (regular) or 17 or 45 days
  late (a short first coupon), paying monthly, quarterly, semi-annually or annually: accrual
  dates, the payment date under each business-day convention (weekends the only holidays) and
  the period's fraction under every day count, ACT/ACT ICMA with the schedule.

The schedule rule is the green bond's (contracts/green_bond_rules/schedule.rs): dates backwards
from maturity, a short first coupon when the issue date is off the grid, the end-of-month rule
when maturity is the last day of a month other than February. QuantLib is told that rule
(DateGeneration.Backward, endOfMonth as the terms give it); what is compared is the date
arithmetic, the business-day rolls and the fractions.

Run (QuantLib from PyPI; the CSV files are committed, the test reads them):
    python3 -m venv /tmp/ql && /tmp/ql/bin/pip install QuantLib==1.44
    /tmp/ql/bin/python contracts/green_bond_rules/vectors/quantlib_reference.py
"""

import csv
import datetime
import os

import QuantLib as ql

HERE = os.path.dirname(os.path.abspath(__file__))


def iso(d):
    return f"{d.year():04d}-{d.month():02d}-{d.dayOfMonth():02d}"


def qd(y, m, d):
    return ql.Date(d, m, y)


DAY_COUNTS = [
    ("30/360", ql.Thirty360(ql.Thirty360.BondBasis)),
    ("30E/360", ql.Thirty360(ql.Thirty360.European)),
    ("ACT/365F", ql.Actual365Fixed()),
    ("ACT/360", ql.Actual360()),
]

CONVENTIONS = [
    ("Unadjusted", ql.Unadjusted),
    ("Following", ql.Following),
    ("ModifiedFollowing", ql.ModifiedFollowing),
    ("Preceding", ql.Preceding),
]


def daycounts():
    starts = []
    d = datetime.date(2023, 2, 1)
    while d < datetime.date(2023, 3, 1):
        starts.append(d)
        d += datetime.timedelta(days=1)
    d = datetime.date(2024, 1, 1)
    while d < datetime.date(2025, 1, 1):
        starts.append(d)
        d += datetime.timedelta(days=1)
    spans = [1, 29, 30, 31, 60, 91, 182, 183, 365, 366]
    with open(os.path.join(HERE, "daycounts.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["start", "end"] + [name for name, _ in DAY_COUNTS])
        for s in starts:
            for span in spans:
                e = s + datetime.timedelta(days=span)
                d1, d2 = qd(s.year, s.month, s.day), qd(e.year, e.month, e.day)
                w.writerow([s.isoformat(), e.isoformat()]
                           + [repr(dc.yearFraction(d1, d2)) for _, dc in DAY_COUNTS])


def schedules():
    maturities = [
        (2030, 1, 31), (2030, 2, 28), (2032, 2, 29), (2030, 3, 29), (2030, 3, 30),
        (2030, 3, 31), (2030, 4, 30), (2030, 5, 31), (2030, 6, 30), (2030, 7, 15),
        (2030, 8, 31), (2030, 9, 1), (2030, 11, 30), (2030, 12, 31),
    ]
    frequencies = [(12, ql.Annual), (6, ql.Semiannual), (3, ql.Quarterly), (1, ql.Monthly)]
    weekends = ql.WeekendsOnly()
    rows = []
    for (y, m, d) in maturities:
        maturity = qd(y, m, d)
        end_of_month = ql.Date.isEndOfMonth(maturity) and m != 2
        for months, freq in frequencies:
            # Three years on the grid back from maturity, as the terms' rule steps it.
            regular_issue = ql.NullCalendar().advance(
                maturity, ql.Period(-36, ql.Months), ql.Unadjusted, end_of_month)
            for late in [0, 17, 45]:
                issue = regular_issue + late
                schedule = ql.Schedule(issue, maturity, ql.Period(freq), ql.NullCalendar(),
                                       ql.Unadjusted, ql.Unadjusted, ql.DateGeneration.Backward,
                                       end_of_month)
                icma = ql.ActualActual(ql.ActualActual.ISMA, schedule)
                dates = list(schedule)
                for i in range(len(dates) - 1):
                    start, end = dates[i], dates[i + 1]
                    row = [iso(maturity), iso(issue), months, i, iso(start), iso(end)]
                    row += [iso(weekends.adjust(end, bdc)) for _, bdc in CONVENTIONS]
                    row += [repr(dc.yearFraction(start, end)) for _, dc in DAY_COUNTS]
                    row.append(repr(icma.yearFraction(start, end)))
                    rows.append(row)
    with open(os.path.join(HERE, "schedules.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["maturity", "issue", "months", "index", "accrual_start", "accrual_end"]
                   + [f"pay_{name}" for name, _ in CONVENTIONS]
                   + [name for name, _ in DAY_COUNTS] + ["ACT/ACT ICMA"])
        w.writerows(rows)


if __name__ == "__main__":
    print("QuantLib", ql.__version__)
    daycounts()
    schedules()
