#!/usr/bin/env python3
"""RSS split of a JVM from two /proc/PID/smaps copies (chat-bench IdleProbe): the Java heap's address range (from GC.heap_info) against the rest.
usage: smaps_split.py DIR [N]   (DIR holds smaps0.txt, smaps2.txt, heapinfo0.txt, heapinfo2.txt; N connections, default 9000)"""
import sys, re
def split(smaps, heapinfo):
    m = re.search(r'\[0x([0-9a-f]+), 0x([0-9a-f]+)\)', open(heapinfo).read())
    lo, hi = int(m.group(1), 16), int(m.group(2), 16)
    heap = other = anon_other = 0
    cur = None
    for line in open(smaps):
        f = line.split()
        if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', line):
            a, b = (int(x, 16) for x in f[0].split('-'))
            cur = (a, b, len(f) < 6)
        elif f and f[0] == 'Rss:':
            kb = int(f[1])
            if cur[0] >= lo and cur[1] <= hi: heap += kb
            else:
                other += kb
                if cur[2]: anon_other += kb
    return heap, other, anon_other
d = sys.argv[1]
h0, o0, a0 = split(d + '/smaps0.txt', d + '/heapinfo0.txt')
h2, o2, a2 = split(d + '/smaps2.txt', d + '/heapinfo2.txt')
n = int(sys.argv[2]) if len(sys.argv) > 2 else 9000
print(f'heap RSS {h0} -> {h2} kB (+{(h2-h0)*1024/n:.0f} B/conn); non-heap RSS {o0} -> {o2} kB (+{(o2-o0)*1024/n:.0f} B/conn; anonymous non-heap {a0} -> {a2})')
