#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Put the killers' rounds on two kernels side by side (make clients).

   clients.py OUT BASE_LOG SERIES_LOG

Each LOG is what the guest's "killers" program printed (bench/killer_bench.c
under "== KILLER ARGS / KIND" headers).  Prints, per killer and victim kind,
for each kernel: the kills, the failed process_mrelease() calls by error,
the signals sent, what process_mrelease() returned, the victim file's cached
MiB before the kill, at the call's return and once the victim is gone (and in
how many rounds any was left), how much MemFree had grown at the return, 100
ms later and in the end (medians, MiB), and the time from the kill until
MemFree had grown by 90% of the end's growth, and by 90% of that less what
the file's page cache gave back (median, min-max, ms).  Writes the
traced rounds as OUT/trace-KERNEL-N.dat (a block per round: ms from the kill,
MemFree MiB, cached MiB) and OUT/traces.gp, which draws OUT/trace-N.png: the
cached MiB and MemFree of both kernels around the kill, one picture per
killer and kind (N: its number in the table).
"""
import re
import statistics
import sys

NUM = r'(-?[0-9.]+|n/a)'
ROUND = re.compile(
    r'^round (\d+): (\S+), process_mrelease (.*?); file cached MiB: '
    + NUM + ' read, ' + NUM + ' at return, ' + NUM + ' after exit .*'
    r'MemFree \+MiB: ' + NUM + ' at return, ' + NUM + ' 100 ms later, '
    + NUM + ' at exit, ' + NUM + ' in the end; 90% freed after ms: ' + NUM
    + ', of all but the file: ' + NUM + ';')
TRACE = re.compile(r'^trace (\d+) ([0-9.-]+) ([0-9.-]+) ([0-9.-]+)$')
KERNELS = ('base', 'series')
# The figures of a round line, in order; None where it says "n/a"
FIGURES = ('read', 'ret', 'left', 'free_ret', 'free_later', 'free_exit',
           'free_end', 'to_free', 'to_free_rest')


def read(path):
    """{setting: {'rounds': [...], 'traces': {round: [(ms, free, cached)]}}}"""
    settings, cur = {}, None
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('== '):
                cur = settings.setdefault(line[3:].strip(),
                                          {'rounds': [], 'traces': {}})
                continue
            if cur is None:
                continue
            m = ROUND.match(line)
            if m:
                r = {'signal': m.group(2), 'result': m.group(3)}
                for i, key in enumerate(FIGURES, 4):
                    r[key] = None if m.group(i) == 'n/a' else float(m.group(i))
                cur['rounds'].append(r)
                continue
            m = TRACE.match(line)
            if m:
                cur['traces'].setdefault(int(m.group(1)), []).append(
                    tuple(float(x) for x in m.group(2, 3, 4)))
    return settings


def values(rounds, key):
    return [r[key] for r in rounds if r[key] is not None]


def median(rounds, key, prec):
    """The median of @key over @rounds, with the count if some lack it"""
    v = values(rounds, key)
    if not v:
        return 'n/a'
    text = '%.*f' % (prec, statistics.median(v))
    return text if len(v) == len(rounds) else '%s (of %d)' % (text, len(v))


def spread(rounds, key):
    v = values(rounds, key)
    if not v:
        return 'n/a'
    text = '%.0f (%.0f-%.0f)' % (statistics.median(v), min(v), max(v))
    return text if len(v) == len(rounds) else '%s of %d' % (text, len(v))


def count(rounds, key):
    """'VALUE xN' for each value of @key, most frequent first"""
    seen = {}
    for r in rounds:
        seen[r[key]] = seen.get(r[key], 0) + 1
    return ', '.join('%s x%d' % (v, n) for v, n in
                     sorted(seen.items(), key=lambda i: -i[1])) or 'none'


def summary(rounds):
    """The figures of HEADER"""
    left = values(rounds, 'left')
    return [
        str(len(rounds)),
        count(rounds, 'signal'),
        count(rounds, 'result'),
        median(rounds, 'read', 1),
        median(rounds, 'ret', 1),
        '%s, in %d' % (median(rounds, 'left', 1),
                       sum(1 for v in left if v > 0)),
        median(rounds, 'free_ret', 0),
        median(rounds, 'free_later', 0),
        median(rounds, 'free_end', 0),
        spread(rounds, 'to_free'),
        spread(rounds, 'to_free_rest'),
    ]


HEADER = ['kills', 'signal', 'process_mrelease', 'cached before',
          'cached at return', 'cached after exit', 'MemFree+ at return',
          'MemFree+ 100 ms later', 'MemFree+ in the end',
          'kill to 90% freed ms', '... of all but file ms']


def gnuplot(out, n, setting):
    files = {k: '%s/trace-%s-%d.dat' % (out, k, n) for k in KERNELS}
    return '''set output "{out}/trace-{n}.png"
set multiplot layout 2,1 title "{setting}: every traced round (TCG guest)"
set offsets 0, 0, graph 0.08, graph 0.02
set ylabel "file cached MiB"
plot "{base}" using 1:3 with lines lc rgb "#d62728" title "base", \\
     "{series}" using 1:3 with lines lc rgb "#1f77b4" title "series"
set ylabel "MemFree MiB"
set xlabel "ms from the kill"
plot "{base}" using 1:2 with lines lc rgb "#d62728" title "base", \\
     "{series}" using 1:2 with lines lc rgb "#1f77b4" title "series"
unset xlabel
unset multiplot
'''.format(out=out, n=n, setting=setting, **files)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    out = sys.argv[1]
    runs = dict(zip(KERNELS, (read(p) for p in sys.argv[2:4])))
    order = list(runs['series'])
    order += [s for s in runs['base'] if s not in order]
    plots = ['set terminal pngcairo size 1000,800 noenhanced\n'
             'set grid\nset key top right\n']
    print('TCG guest.  MiB and ms: medians over the rounds ("of N": the '
          'rounds where it was seen);\ncached after exit: the median, and in '
          'how many rounds any was left;\nkill to 90% freed: of the growth in '
          'the end, and of that less the file\'s page cache; median (min-max)')
    for n, setting in enumerate(order, 1):
        print('\n%d. %s' % (n, setting))
        table = {k: summary(runs[k].get(setting, {}).get('rounds', []))
                 for k in KERNELS}
        print('  %-22s %-26s %s' % (('',) + KERNELS))
        for i, label in enumerate(HEADER):
            print('  %-22s %-26s %s' % (label, table['base'][i],
                                        table['series'][i]))
        traced = False
        for k in KERNELS:
            traces = runs[k].get(setting, {}).get('traces', {})
            with open('%s/trace-%s-%d.dat' % (out, k, n), 'w') as f:
                for rnd in sorted(traces):
                    f.write('# round %d\n' % rnd)
                    f.writelines('%.1f %.1f %.2f\n' % t for t in traces[rnd])
                    f.write('\n')
                    traced = True
        if traced:
            plots.append(gnuplot(out, n, setting))
    with open('%s/traces.gp' % out, 'w') as f:
        f.writelines(plots)
    print('\n%d pictures in %s/traces.gp' % (len(plots) - 1, out))


if __name__ == '__main__':
    main()
