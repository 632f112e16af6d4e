#!/usr/bin/env python3
import sys, re, collections, bisect
# Scheduler wake-up delays against a Suite trace (tools/sched-probe.sh + trace): for every message whose
# first delivery took over 1 ms, the largest delay between a watched thread being woken (sched_wakeup)
# and running (sched_switch), and what ran on the CPU it was woken onto.
# usage: perf script -i sched-PID.data -F comm,tid,cpu,time,event,trace --ns > s.txt
#        python3 chat-bench/tools/sched_wakeups.py s.txt DIR/trace-light-parley.tsv
schedf, tracef = sys.argv[1], sys.argv[2]
watch = set(sys.argv[3].split(',')) if len(sys.argv) > 3 else None   # tids to watch; default: auto
pat=re.compile(r'^\s*(.+?)\s+(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+sched:(\w+):\s+(.*)$')
kv=re.compile(r'(\w+)=(.*?)(?= \w+=|$)')
ev=[]
for line in open(schedf):
    m=pat.match(line)
    if not m: continue
    comm,tid,cpu,t,e,rest=m.groups()
    ev.append((int(round(float(t)*1e9)),int(cpu),comm,int(tid),e,rest))
ev.sort()
curr={}          # cpu -> (comm, tid, since)
runtime=collections.Counter()
woken={}         # tid -> (t, target cpu, comm running there, its tid)
delays=[]        # (t_wake, delay, tid, comm, culprit comm, migrated)
names={}
for t,cpu,comm,tid,e,rest in ev:
    f=dict(kv.findall(rest))
    if e=='sched_switch':
        pc, pp = f['prev_comm'], int(f['prev_pid']); nc, np_ = f['next_comm'], int(f['next_pid'].split()[0])
        if cpu in curr: runtime[curr[cpu][0]] += t-curr[cpu][2]
        curr[cpu]=(nc,np_,t)
        names[np_]=nc
        if np_ in woken:
            tw,tc,cc,ct=woken.pop(np_)
            delays.append((tw,t-tw,np_,nc,cc,tc!=cpu))
    elif e=='sched_wakeup':
        tid2=int(f['pid'].split()[0]); tc=int(f['target_cpu'])
        run=curr.get(tc,('?',0,0))
        woken[tid2]=(t,tc,run[0],run[1])
        names[tid2]=f['comm']
span=(ev[-1][0]-ev[0][0])/1e9
print('window %.2f s; CPU by thread name (ms per s):'%span)
for c,v in runtime.most_common(25):
    print('   %-18s %7.1f'%(c,v/1e6/span))
msgs=collections.defaultdict(list)
for line in list(open(tracef))[1:]:
    s,r,l,a,b=map(int,line.split('\t')); msgs[(a,s)].append(r)
lo,hi=ev[0][0]+1e6,ev[-1][0]
items=[(s,min(rs)-s) for (a,s),rs in msgs.items() if lo<s<hi]
items.sort()
dt=[d[0] for d in delays]
def interesting(n):
    return n.startswith('parley-poll') or n.startswith('ForkJoinPool') or n=='java' or n=='redis-server' or n=='nats-server'
cls=collections.Counter(); tot=collections.Counter()
slow=[x for x in items if x[1]>1e6]
print('messages in window %d, first delivery > 1 ms: %d'%(len(items),len(slow)))
for s,lat in slow:
    i=bisect.bisect_left(dt,s)
    best=None
    while i<len(delays) and delays[i][0]<s+lat:
        d=delays[i]
        if interesting(d[3]) and (best is None or d[1]>best[1]): best=d
        i+=1
    if best:
        key=('%s woken behind %s'%(best[3][:14],best[4][:16]))
        cls[key]+=1
        print('  sent %+.3f s lat %.3f ms: largest wake delay %.3f ms: %s on a cpu running %s%s'%((s-lo)/1e9,lat/1e6,best[1]/1e6,best[3],best[4],' (ran elsewhere)' if best[5] else ''))
    else:
        print('  sent %+.3f s lat %.3f ms: no wake delay found'%((s-lo)/1e9,lat/1e6))
print('summary:', cls.most_common())
big=[d for d in delays if interesting(d[3]) and d[1]>1e6]
print('all wake delays > 1 ms of the watched threads:', len(big), collections.Counter(d[4][:16] for d in big).most_common(10))
