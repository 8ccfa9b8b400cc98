#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Put two runs of the benchmarks (make bench) side by side.

   compare.py BASE_RESULTS SERIES_RESULTS [RATIOS_DATA]

Reads the lines the benchmarks print:
  "case: what median M unit, min A, max B (n)"     a median of n runs
  "case: reap i: ... N at return ..."              mrelease_bench, per reap
  "case: restart read T ms, workingset_refault_file +R, ..."
under "lru_gen off" / "lru_gen on" headers (until the next benchmark's
"selftests: " line), and prints for each figure the
base's and the series' value (median, with min-max) and series/base.  The
pages still cached at the call's return are a median over the reaps of a
case.  With RATIOS_DATA, writes "label ratio" lines for gnuplot: the median
times only.
"""
import re
import statistics
import sys

MEDIAN = re.compile(r'^(.*?): (.*) median ([0-9.]+) (\w+), min ([0-9.]+), '
                    r'max ([0-9.]+) \((\d+)\)$')
REAP = re.compile(r'^(.*?): reap \d+: .* (\d+) at return, ')
RESTART = re.compile(r'^(.*?): restart read ([0-9.]+) ms, '
                     r'workingset_refault_file \+(\d+)')


def read(path):
    """{figure: (median, min, max, n, unit)}, in the order first seen"""
    figures, cached = {}, {}
    section = ''
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('selftests: '):
                section = ''
                continue
            if re.match(r'^lru_gen (on|off)$', line):
                section = line + ', '
                continue
            m = MEDIAN.match(line)
            if m:
                key = f'{section}{m[1]}: {m[2]}'
                figures[key] = (float(m[3]), float(m[5]), float(m[6]),
                                int(m[7]), m[4])
                continue
            m = REAP.match(line)
            if m:
                cached.setdefault(f'{section}{m[1]}: cached at return',
                                  []).append(int(m[2]))
                continue
            m = RESTART.match(line)
            if m:
                figures[f'{section}{m[1]}: restart read'] = (
                    float(m[2]), float(m[2]), float(m[2]), 1, 'ms')
                figures[f'{section}{m[1]}: restart refaults'] = (
                    float(m[3]), float(m[3]), float(m[3]), 1, 'pages')
    for key, vals in cached.items():
        figures[key] = (statistics.median(vals), min(vals), max(vals),
                        len(vals), 'pages')
    return figures


def cell(fig):
    if fig is None:
        return '-'
    med, lo, hi, n, unit = fig
    if n == 1:
        return f'{med:g} {unit}'
    return f'{med:g} {unit} ({lo:g}-{hi:g})'


def main():
    base, series = read(sys.argv[1]), read(sys.argv[2])
    ratios = open(sys.argv[3], 'w') if len(sys.argv) > 3 else None
    keys = list(series) + [k for k in base if k not in series]
    width = max((len(k) for k in keys), default=10)
    print(f'{"":{width}}  {"base":>28}  {"series":>28}  series/base')
    for key in keys:
        b, s = base.get(key), series.get(key)
        ratio = '-'
        if b and s and b[0]:
            ratio = f'{s[0] / b[0]:.2f}'
            # A median of several runs; a single restart read is no cost
            if ratios and s[4] == 'ms' and s[3] > 1:
                label = key.replace('"', "'")
                ratios.write(f'"{label}" {s[0] / b[0]:.3f}\n')
        print(f'{key:{width}}  {cell(b):>28}  {cell(s):>28}  {ratio:>11}')
    if ratios:
        ratios.close()


if __name__ == '__main__':
    main()
