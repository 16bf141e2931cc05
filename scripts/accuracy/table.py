#!/usr/bin/env python3
"""table.py BEFORE_DIR JUDGED_TSV AFTER_DIR: per rule, the sample judged on the findings in
BEFORE_DIR (ids RULE#k as sample.py gives them; verdicts TRUE, TRUE?, FALSE, FALSE?, the
question marks counted with their word) against the findings in AFTER_DIR: how many of the
judged findings are gone, false and true, and the precision of the sample before and of
what remains of it after. Prints the Markdown table of docs/accuracy.md, then every true
finding that went and every false one that stayed."""
import json, glob, os, sys, collections
before_dir, judged_tsv, after_dir = sys.argv[1], sys.argv[2], sys.argv[3]
def load(d):
    by = collections.defaultdict(list)
    for f in sorted(glob.glob(d + '/*.json')):
        repo = os.path.basename(f)[:-5]
        for x in json.load(open(f))['findings']:
            by[x['rule']].append((repo, x))
    for r in by:
        by[r].sort(key=lambda t: (t[0], t[1]['location']['path'], t[1]['location']['line'], t[1]['location']['column']))
    return by
before = load(before_dir)
after = load(after_dir)
def key(t):
    r, x = t
    l = x['location']
    # Line, not column: a finding made exact within its line is the same finding.
    return (r, x['rule'], l['path'], l['line'])
after_keys = {r: collections.Counter(key(t) for t in v) for r, v in after.items()}
judged = collections.defaultdict(list)
for f in [judged_tsv]:
    for line in open(f):
        parts = line.rstrip('\n').split('\t')
        if len(parts) < 4 or '#' not in parts[0]:
            continue
        rule, k = parts[0].split('#')
        judged[rule].append((int(k), parts[3].strip(), parts[4] if len(parts) > 4 else ''))
rules = sorted(set(before) | set(after) | set(judged), key=lambda r: -len(before.get(r, [])))
print('| rule | findings (start) | findings (now) | read | true | false | precision (start) | judged gone | false gone | true gone | precision (now, on what remains of the sample) |')
print('|---|---|---|---|---|---|---|---|---|---|---|')
detail = []
for r in rules:
    js = judged.get(r, [])
    t = sum(1 for _, v, _ in js if v.startswith('TRUE'))
    f = len(js) - t
    gone = [(k, v, why) for k, v, why in js if after_keys.get(r, {}).get(key(before[r][k]), 0) == 0]
    fg = sum(1 for _, v, _ in gone if v.startswith('FALSE'))
    tg = len(gone) - fg
    rem_t, rem_f = t - tg, f - fg
    p0 = f'{t/len(js):.2f}' if js else '–'
    p1 = f'{rem_t/(rem_t+rem_f):.2f}' if rem_t + rem_f else '–'
    print(f'| {r} | {len(before.get(r, []))} | {len(after.get(r, []))} | {len(js)} | {t} | {f} | {p0} | {len(gone)} | {fg} | {tg} | {p1} |')
    for k, v, why in gone:
        if v.startswith('TRUE'):
            detail.append(f'TRUE GONE {r}#{k} {before[r][k][0]} {before[r][k][1]["location"]["path"]}:{before[r][k][1]["location"]["line"]} {why[:120]}')
    for k, v, why in js:
        if v.startswith('FALSE') and (k, v, why) not in gone:
            detail.append(f'FALSE LEFT {r}#{k} {before[r][k][0]} {before[r][k][1]["location"]["path"]}:{before[r][k][1]["location"]["line"]} {why[:140]}')
print()
print('\n'.join(detail))
