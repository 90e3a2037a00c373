#!/usr/bin/env python3
"""Figures from `benchmark pallet --json-file` results (see bench/weights.sh).

Weight of a call = median measured time + its storage reads and writes at ParityDB's costs
(8 us per read, 50 us per write, frame_support::weights::constants::ParityDbWeight), which is
what the generated weights.rs charges on this runtime. Integers only: weights are picoseconds.
"""
import json
import pathlib
import statistics
import sys

READ_PS = 8_000_000
WRITE_PS = 50_000_000
EXTRINSIC_BASE_PS = 108_157_000  # frame_support ExtrinsicBaseWeight
BLOCK_PS = 1_000_000_000_000  # one second of compute per 3 s block
NORMAL_PERCENT = 75  # share of the block normal extrinsics may fill


def weights(path):
    out = {}
    for batch in json.loads(path.read_text()):
        times = [r["extrinsic_time"] for r in batch["time_results"]]
        db = batch["db_results"][-1] if batch["db_results"] else {"reads": 0, "writes": 0}
        # Time is in nanoseconds; the worst components (the last result) for reads and writes.
        ref_time = int(statistics.median(times)) * 1_000 + db["reads"] * READ_PS + db["writes"] * WRITE_PS
        out[batch["benchmark"]] = ref_time
    return out


def main():
    results = pathlib.Path(sys.argv[1])
    kpi = weights(results / "pallet_citybond_kpi_oracle.json")
    balances = weights(results / "pallet_balances.json")
    transfer = balances["transfer_keep_alive"]
    report = kpi["submit_report"]
    quorum = kpi["submit_report_reaching_quorum"]
    charged = max(report, quorum)
    normal = BLOCK_PS * NORMAL_PERCENT // 100
    per_block = normal // (charged + EXTRINSIC_BASE_PS)
    us = lambda ps: f"{ps / 1_000_000:.1f} µs"
    print("| figure | value |")
    print("|---|---|")
    print(f"| `Balances::transfer_keep_alive` | {us(transfer)} |")
    print(f"| `KpiOracle::submit_report` | {us(report)} ({report / transfer:.2f}× transfer_keep_alive) |")
    print(f"| `KpiOracle::submit_report`, reaching the quorum | {us(quorum)} ({quorum / transfer:.2f}×) |")
    print(f"| reports per block (charged {us(charged)} + {us(EXTRINSIC_BASE_PS)} base each, {NORMAL_PERCENT}% of 1 s) | {per_block:,} |")
    for name in sorted(kpi):
        if name not in ("submit_report", "submit_report_reaching_quorum"):
            print(f"| `KpiOracle::{name}` (worst case) | {us(kpi[name])} |")


if __name__ == "__main__":
    main()
