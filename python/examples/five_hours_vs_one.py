"""Five hours versus one: the flagship scenario's paper and digital workflows, from Python.

Runs scenarios/future-hospital.toml's paper, half-adoption and digital variants with common
random numbers (the scenario's 20 replications and seed), prints the time a peak-time patient
who needs tests spends in the hospital under each, with 95% intervals, and the paired
difference over all patients, then draws one chart with matplotlib.

    python python/examples/five_hours_vs_one.py [CHART.png]

docs/python.md walks through it.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # a file, not a window
import matplotlib.pyplot as plt
import pandas as pd

import carepath

root = Path(__file__).resolve().parents[2]
chart = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("five_hours_vs_one.png")

scenario = carepath.Scenario.from_file(root / "scenarios" / "future-hospital.toml")
comparison = carepath.compare(scenario, ["paper", "digital_50pct", "digital"])

# One row per variant: the peak-time patients who need tests, from each run's class table.
rows = []
for variant, result in comparison.runs.items():
    c = result.classes().set_index("class").loc["peak_tests"]
    rows.append(
        {
            "variant": variant,
            "hours": c["time_in_system_min.mean"] / 60,
            "low": c["time_in_system_min.ci95_low"] / 60,
            "high": c["time_in_system_min.ci95_high"] / 60,
        }
    )
peak = pd.DataFrame(rows)
print("Peak-time patient who needs tests, hours in the hospital (mean, 95% CI):")
print(peak.round(2).to_string(index=False))

d = comparison.differences
tis = d[(d.metric == "time_in_system_min.mean") & (d.a == "paper") & (d.b == "digital")].iloc[0]
print(
    f"\nAll patients, digital minus paper (paired): {tis.difference:.1f} min "
    f"[{tis.ci95_low:.1f}, {tis.ci95_high:.1f}]"
)

fig, ax = plt.subplots(figsize=(6, 3.6), dpi=120)
labels = {"paper": "paper", "digital_50pct": "half digital", "digital": "digital"}
ax.bar(
    [labels[v] for v in peak.variant],
    peak.hours,
    yerr=[peak.hours - peak.low, peak.high - peak.hours],
    capsize=6,
    color=["#8c564b", "#bcbd22", "#1f77b4"],
)
for x, (h, top) in enumerate(zip(peak.hours, peak.high)):
    ax.text(x, top + 0.1, f"{h:.1f} h", ha="center")
ax.set_ylabel("hours in the hospital")
ax.set_title("Peak-time patient who needs tests (20 peak days, 95% CI)", fontsize=10)
ax.set_ylim(0, max(peak.high) * 1.2)
ax.spines[["top", "right"]].set_visible(False)
fig.tight_layout()
fig.savefig(chart)
print(f"\nwrote {chart}")
