#!/usr/bin/env python3
"""sample.py FINDINGS_DIR RULE [N] [--all]: a deterministic random sample (seed 20261202) of
the corpus findings of RULE, from the files findings.sh wrote, each with its message, help,
path and the source lines around it, for reading by hand.

Each finding gets an id RULE#k: k is its index in the list of all findings of the rule
sorted by repository, path, line and column, so a judgment file can name it."""
import json, glob, random, sys, os
findings_dir, rule = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3].isdigit() else 30
ctx = 6
corpus = os.environ.get('CORPUS', os.path.join(os.path.dirname(__file__), '..', '..', '..', 'shared', 'corpus'))
allf = []
for f in sorted(glob.glob(os.path.join(findings_dir, '*.json'))):
    repo = os.path.basename(f)[:-5]
    for x in json.load(open(f))['findings']:
        if x['rule'] == rule:
            allf.append((repo, x))
allf.sort(key=lambda t: (t[0], t[1]['location']['path'], t[1]['location']['line'], t[1]['location']['column']))
idx = list(range(len(allf)))
if '--all' not in sys.argv and len(idx) > n:
    random.Random(20261202).shuffle(idx)
    idx = sorted(idx[:n])
print(f'# {rule}: {len(allf)} findings, showing {len(idx)}')
for k in idx:
    repo, x = allf[k]
    loc = x['location']
    print(f'\n=== {rule}#{k} {repo} {loc["path"]}:{loc["line"]}:{loc["column"]} [{x["level"]}/{x["severity"]}/{x.get("confidence")}]')
    print('message:', x['message'])
    if x.get('help'): print('help:', x['help'].replace('\n', '\n  '))
    for h in x.get('path', []) or []:
        l = h.get('location') or {}
        print(f'  path: {h["label"]} @ {l.get("path")}:{l.get("line")}')
    p = os.path.join(corpus, repo, loc['path'])
    try:
        lines = open(p, encoding='utf-8', errors='replace').read().split('\n')
        a = max(0, loc['line'] - 1 - ctx); b = min(len(lines), loc['line'] + ctx)
        for i in range(a, b):
            print(f'{"  >" if i == loc["line"] - 1 else "   "}{i+1:5} {lines[i]}')
    except Exception as e:
        print('  (source not read:', e, ')')
