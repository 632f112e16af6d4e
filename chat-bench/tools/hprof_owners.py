#!/usr/bin/env python3
"""Minimal HPROF reader: attributes each object (shallow bytes) of a heap dump to the chain of classes that refer to it.
usage: hprof_owners.py DUMP.hprof CLASS_HISTOGRAM.txt N   (N: divide by it, e.g. the connections held)
Sizes come from the class histogram taken with the dump; prints the largest (class, referrer chain) groups,
then each object counted under the first dev.parley (or JDK channel, selector, virtual thread) class up its chain."""
import sys, struct, collections
dump, histo_path, nconn = sys.argv[1], sys.argv[2], int(sys.argv[3])
sizes = {}
for line in open(histo_path):
    f = line.split()
    if len(f) >= 4 and f[0].endswith(':'):
        try: sizes[f[3]] = int(f[2]) // max(1, int(f[1]))
        except ValueError: pass
data = open(dump, 'rb').read()
p = data.index(b'\0') + 1
idsz = struct.unpack_from('>I', data, p)[0]; p += 12
assert idsz == 8
rid = lambda o: struct.unpack_from('>Q', data, o)[0]
strings = {}; cname = {}  # class id -> name
classes = {}  # class id -> (super, [(name, type)])
obj_class = {}  # obj id -> class name
refs = {}  # target -> (referrer id, field name)
prim_size = {2: 8, 4: 1, 5: 2, 6: 4, 7: 8, 8: 1, 9: 2, 10: 4, 11: 8}
pnames = {4: '[Z', 5: '[C', 6: '[F', 7: '[D', 8: '[B', 9: '[S', 10: '[I', 11: '[J'}
instances = []  # (id, class id, offset, len)
objarr = []
roots = set()
shallow = {}
def jname(n):
    return n.replace('/', '.')
while p < len(data):
    tag = data[p]; ln = struct.unpack_from('>I', data, p + 5)[0]; body = p + 9; end = body + ln; p = end
    if tag == 0x01:
        strings[rid(body)] = data[body + 8:end].decode('utf-8', 'replace')
    elif tag == 0x02:
        cname[rid(body + 4)] = jname(strings.get(rid(body + 16), '?'))
    elif tag in (0x0C, 0x1C):
        q = body
        while q < end:
            st = data[q]; q += 1
            if st == 0xFF: roots.add(rid(q)); q += 8
            elif st == 0x01: roots.add(rid(q)); q += 16
            elif st in (0x02, 0x03): roots.add(rid(q)); q += 16
            elif st == 0x04: roots.add(rid(q)); q += 12
            elif st in (0x05, 0x07): roots.add(rid(q)); q += 8
            elif st == 0x06: roots.add(rid(q)); q += 12
            elif st == 0x08: roots.add(rid(q)); q += 16
            elif st == 0x20:
                cid = rid(q); sup = rid(q + 12); q += 8 + 4 + 6 * 8 + 4
                ncp = struct.unpack_from('>H', data, q)[0]; q += 2
                for _ in range(ncp):
                    t = data[q + 2]; q += 3 + (8 if t == 2 else prim_size[t])
                ns = struct.unpack_from('>H', data, q)[0]; q += 2
                for _ in range(ns):
                    t = data[q + 8]; q += 9 + (8 if t == 2 else prim_size[t])
                nf = struct.unpack_from('>H', data, q)[0]; q += 2
                fields = []
                for _ in range(nf):
                    fields.append((strings.get(rid(q), '?'), data[q + 8])); q += 9
                classes[cid] = (sup, fields)
            elif st == 0x21:
                oid = rid(q); cid = rid(q + 12); l = struct.unpack_from('>I', data, q + 20)[0]
                instances.append((oid, cid, q + 24, l)); q += 24 + l
            elif st == 0x22:
                oid = rid(q); n = struct.unpack_from('>I', data, q + 12)[0]; cid = rid(q + 16)
                objarr.append((oid, cid, q + 24, n)); q += 24 + 8 * n
            elif st == 0x23:
                oid = rid(q); n = struct.unpack_from('>I', data, q + 12)[0]; t = data[q + 16]
                obj_class[oid] = pnames[t]; shallow[oid] = (16 + n * prim_size[t] + 7) // 8 * 8
                q += 17 + n * prim_size[t]
            else:
                raise SystemExit('unknown subtag %x at %d' % (st, q))
layout = {}
def fields_of(cid):
    if cid in layout: return layout[cid]
    out = []
    c = cid
    while c and c in classes:
        out.extend(classes[c][1]); c = classes[c][0]
    layout[cid] = out
    return out
for oid, cid, off, l in instances:
    n = cname.get(cid, '?'); obj_class[oid] = n; shallow[oid] = sizes.get(n, 16)
    q = off
    for fname, t in fields_of(cid):
        if t == 2:
            tgt = rid(q); q += 8
            if tgt and tgt not in refs: refs[tgt] = (oid, fname)
        else: q += prim_size[t]
for oid, cid, off, n in objarr:
    nm = cname.get(cid, '?'); nm = '[L' + nm + ';' if not nm.startswith('[') else '[' + nm
    obj_class[oid] = nm; shallow[oid] = (16 + 4 * n + 7) // 8 * 8
    for i in range(n):
        tgt = rid(off + 8 * i)
        if tgt and tgt not in refs: refs[tgt] = (oid, '[]')
def path(oid):
    out = []
    cur = oid
    for _ in range(6):
        r = refs.get(cur)
        if r is None:
            out.append('ROOT' if cur in roots else '?'); break
        cur, f = r
        c = obj_class.get(cur, '?')
        out.append(c.rsplit('.', 1)[-1] + '.' + f)
        if c.startswith('dev.parley') or 'StackChunk' in c or 'VirtualThread' in c: break
    return ' <- '.join(out)
agg = collections.Counter(); cnt = collections.Counter()
for oid, c in obj_class.items():
    k = (c, path(oid)); agg[k] += shallow.get(oid, 0); cnt[k] += 1
tot = sum(agg.values())
print('total shallow %d B (%.0f B/conn)' % (tot, tot / nconn))
for (c, pth), b in agg.most_common(120):
    if b / nconn < 4: break
    print('%8.1f B/conn %6.2f/conn  %-45s %s' % (b / nconn, cnt[(c, pth)] / nconn, c[-45:], pth))

print('\n== by owner (first dev.parley / JDK-owner class up the referrer chain) ==')
def owner(oid):
    cur = oid
    for _ in range(12):
        c = obj_class.get(cur, '?')
        if c.startswith('dev.parley'): return c.rsplit('.', 1)[-1].split('$$')[0]
        if 'StackChunk' in c or 'VirtualThread' in c or 'Continuation' in c: return 'VirtualThread (+ StackChunk, continuation, name, ThreadLocalMap)'
        if c.startswith('sun.nio.ch.SocketChannelImpl'): return 'SocketChannelImpl (+ fd, addresses, locks)'
        if c.startswith('sun.nio.ch.SelectionKeyImpl') or c.startswith('sun.nio.ch.EPoll'): return 'SelectionKeyImpl + selector maps'
        r = refs.get(cur)
        if r is None: return 'ROOT (locals of a mounted frame)' if cur in roots else 'unreached/other'
        cur = r[0]
    return 'deep'
own = collections.Counter(); ocnt = collections.Counter()
for oid in obj_class:
    k = owner(oid); own[k] += shallow.get(oid, 0); ocnt[k] += 1
for k, b in own.most_common(60):
    if b / nconn < 2: break
    print('%8.1f B/conn %6.2f obj/conn  %s' % (b / nconn, ocnt[k] / nconn, k))
