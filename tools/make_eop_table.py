"""Rebuild sahelsat/data/eop/finals.csv from an IERS finals2000A.all file.

Usage: python tools/make_eop_table.py PATH/TO/finals2000A.all
Reads the file with sahelsat's checked reader (sahelsat.refresh.eop.parse_finals) and
keeps MJD, x_p and y_p (arcseconds), UT1-UTC (seconds) from 2000 on, the Bulletin A
columns (observed, then IERS predictions), with predicted rows marked. To bring the
table of one installation up to date, use `sahelsat update eop` instead.
"""

import sys

from sahelsat.refresh.eop import parse_finals, table_csv


def main(path: str, out: str = "sahelsat/data/eop/finals.csv") -> None:
    with open(path, encoding="ascii", errors="replace") as f:
        table, errors = parse_finals(f.read(), path)
    if errors:
        sys.exit("\n".join(errors[:20]))
    table = table[table["mjd_utc"] >= 51544]  # 2000-01-01
    with open(out, "w") as f:
        f.write(table_csv(table))
    print(f"{len(table)} rows, MJD {table.mjd_utc.iloc[0]} .. {table.mjd_utc.iloc[-1]}")


if __name__ == "__main__":
    main(sys.argv[1])
