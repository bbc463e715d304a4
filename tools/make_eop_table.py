"""Rebuild sahelsat/data/eop/finals.csv from an IERS finals2000A.all file.

Usage: python tools/make_eop_table.py PATH/TO/finals2000A.all
Keeps MJD, x_p and y_p (arcseconds), UT1-UTC (seconds) from 2000 on, the
Bulletin A columns (observed, then IERS predictions), and marks predicted rows.
"""

import sys


def main(path: str, out: str = "sahelsat/data/eop/finals.csv") -> None:
    rows = []
    with open(path) as f:
        for line in f:
            mjd = float(line[7:15])
            if mjd < 51544 or not line[18:27].strip() or not line[58:68].strip():
                continue
            xp, yp, dut1 = float(line[18:27]), float(line[37:46]), float(line[58:68])
            predicted = line[57] == "P"
            rows.append(f"{mjd:.0f},{xp:.6f},{yp:.6f},{dut1:.7f},{int(predicted)}")
    with open(out, "w") as f:
        f.write("mjd_utc,xp_arcsec,yp_arcsec,ut1_minus_utc_s,predicted\n")
        f.write("\n".join(rows) + "\n")
    print(f"{len(rows)} rows, MJD {rows[0].split(',')[0]} .. {rows[-1].split(',')[0]}")


if __name__ == "__main__":
    main(sys.argv[1])
