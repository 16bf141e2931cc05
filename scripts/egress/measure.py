#!/usr/bin/env python3
"""measure.py [REPO...] [--json] [--misses] [--list-conditional] [--corpus-egress DIR] [--corpus DIR]

How well `tollgate egress --format json` recovers the allow-lists that maintainers keep in
step-security/harden-runner steps (egress-policy: block).

Ground truth: every job with a harden-runner step whose `with:` has `egress-policy: block`
and an `allowed-endpoints:` value given in the file (folded, literal or plain scalar with
`host:port` entries separated by spaces or newlines). Several such steps in one job are
united. Jobs in audit mode, or whose list is an expression, are not ground truth. A job is
keyed by (workflow path relative to the repository root, job id).

Inferred: the `destinations` tollgate gives for the same job (not only `allowed_endpoints`,
which leaves out wildcards over shared hosting domains: those are kept here and marked).

Matching (as harden-runner matches an allow-list entry against a host it sees):
  * host names compare case-insensitively; a trailing dot is dropped;
  * `*` in an entry matches any run of characters, dots included (`*.x.com` matches
    `a.x.com` and `a.b.x.com`, not `x.com`; `productionresultssa*.blob.core.windows.net`
    matches `productionresultssa7.blob.core.windows.net`);
  * two entries match when one matches the other, or when both are patterns and some host
    matches both (`*.docker.io` and `*.blob.core.windows.net` do not; `*.x.com` and
    `a*.x.com` do);
  * ports must be equal; an entry without a port matches every port.

Figures (per job, per repository, and micro-averaged over entries in total):
  recall     truth entries matched by some inferred entry / truth entries.
             `recall-` also leaves out of both sides the truth entries harden-runner
             allows by itself (IMPLICIT below): listing them is not needed.
  precision  non-optional inferred entries matching a truth entry or an implicit endpoint /
             non-optional inferred entries. `precision-` counts only truth matches.
  optional   inferred entries tollgate marks `optional` (best-effort calls) and not
             `platform`: reported apart, never counted in precision.
  conditional inferred entries tollgate marks `conditional` (a setup action's download
             the runner's tool cache makes unneeded): not in the harden-runner list, so
             they count neither for recall nor for precision; reported apart.
             `--list-conditional` counts them as listed instead (a list that keeps
             every fallback and tool-cache download: the other side of the trade).
  misses     truth entries not matched; "warned" when the job's JSON has unresolved
             destinations or unknown actions (tollgate says the list is incomplete),
             "silent" otherwise.
  extras     non-optional inferred entries matching neither truth nor implicit endpoints.

TOLLGATE (environment) names the binary; default target/release/tollgate of this worktree
(or $CARGO_TARGET_DIR/release/tollgate when that exists).
"""
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(os.path.dirname(ROOT), 'shared')
if not os.path.isdir(SHARED):
    SHARED = '/work/shared'

IMPLICIT = [
    ('*.actions.githubusercontent.com', None),
    ('codeload.github.com', None),
    ('actions-results-receiver-production.githubapp.com', None),
    ('productionresultssa*.blob.core.windows.net', None),
]

try:
    import yaml  # type: ignore
except ImportError:  # pragma: no cover - fallback reader below
    yaml = None


# ---------------------------------------------------------------- ground truth

def parse_entries(value):
    """`host:port` entries of an allowed-endpoints value -> [(host, port or None)]."""
    out = []
    for tok in re.split(r'[\s,]+', value or ''):
        tok = tok.strip().strip('"\'')
        if not tok or tok.startswith('#'):
            continue
        m = re.match(r'^(.*?)(?::(\d+))?$', tok)
        host = m.group(1).lower().rstrip('.')
        port = int(m.group(2)) if m.group(2) else None
        out.append((host, port))
    return out


def load_workflow(path):
    text = open(path, encoding='utf-8').read()
    if yaml is not None:
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as e:
            print(f'warning: {path}: {e}', file=sys.stderr)
            return None
    return fallback_load(text)


def fallback_load(text):
    """Enough of a workflow for this script without PyYAML: jobs, their steps' `uses`,
    `run` first line, `name`, and harden-runner's with: egress-policy / allowed-endpoints."""
    lines = text.splitlines()
    jobs = {}
    in_jobs = False
    job = None
    step = None
    i = 0
    while i < len(lines):
        ln = lines[i]
        s = ln.strip()
        ind = len(ln) - len(ln.lstrip(' '))
        if re.match(r'^jobs:\s*$', ln):
            in_jobs = True
        elif in_jobs and ind == 0 and s and not s.startswith('#'):
            in_jobs = False
        elif in_jobs and re.match(r'^  [A-Za-z0-9_-]+:\s*$', ln):
            job = {'steps': []}
            jobs[s[:-1]] = job
        elif job is not None and re.match(r'^\s*-\s', ln) and 'steps' in job:
            m = re.match(r'^\s*-\s+(\w[\w-]*):\s*(.*)$', ln)
            step = {}
            job['steps'].append(step)
            if m:
                step[m.group(1)] = m.group(2).strip()
        elif step is not None:
            m = re.match(r'^\s*(uses|run|name|egress-policy):\s*(.*?)\s*(#.*)?$', ln)
            if m:
                key = m.group(1)
                if key == 'egress-policy':
                    step.setdefault('with', {})[key] = m.group(2)
                else:
                    step[key] = m.group(2)
            m = re.match(r'^(\s*)allowed-endpoints:\s*(.*)$', ln)
            if m:
                base = len(m.group(1))
                head = m.group(2).strip()
                vals = [] if head in ('>', '|', '>-', '|-', '') else [head]
                j = i + 1
                while j < len(lines) and (not lines[j].strip() or
                                          len(lines[j]) - len(lines[j].lstrip(' ')) > base):
                    vals.append(lines[j].strip())
                    j += 1
                step.setdefault('with', {})['allowed-endpoints'] = '\n'.join(vals)
                i = j - 1
        i += 1
    return {'jobs': jobs}


def truth_of_repo(repo):
    """{(workflow, job): {'entries': [(host, port)], 'steps': [...], 'line': n}}."""
    out = {}
    wfdir = os.path.join(repo, '.github', 'workflows')
    if not os.path.isdir(wfdir):
        return out
    for fn in sorted(os.listdir(wfdir)):
        if not fn.endswith(('.yml', '.yaml')):
            continue
        path = os.path.join(wfdir, fn)
        doc = load_workflow(path)
        if not isinstance(doc, dict) or not isinstance(doc.get('jobs'), dict):
            continue
        rel = os.path.relpath(path, repo)
        for jid, job in doc['jobs'].items():
            if not isinstance(job, dict):
                continue
            steps = job.get('steps') or []
            entries = []
            found = False
            for st in steps:
                if not isinstance(st, dict):
                    continue
                uses = str(st.get('uses') or '')
                if not uses.lower().startswith('step-security/harden-runner'):
                    continue
                w = st.get('with') or {}
                pol = str(w.get('egress-policy') or '').split('#')[0].strip().lower()
                ae = w.get('allowed-endpoints')
                if pol != 'block' or ae is None or '${{' in str(ae):
                    continue
                found = True
                for e in parse_entries(str(ae)):
                    if e not in entries:
                        entries.append(e)
            if found:
                out[(rel, str(jid))] = {'entries': entries, 'steps': steps}
    return out


# ---------------------------------------------------------------- matching

def pat_re(p):
    return re.compile('^' + '.*'.join(re.escape(x) for x in p.split('*')) + '$')


def host_match(a, b):
    if a == b:
        return True
    wa, wb = '*' in a, '*' in b
    if wa and pat_re(a).match(b):
        return True
    if wb and pat_re(b).match(a):
        return True
    if wa and wb:
        # Some host matches both: compare the fixed suffixes after the last '*' and the
        # fixed prefixes before the first one.
        sa, sb = a.rsplit('*', 1)[1], b.rsplit('*', 1)[1]
        pa, pb = a.split('*', 1)[0], b.split('*', 1)[0]
        return ((sa.endswith(sb) or sb.endswith(sa)) and
                (pa.startswith(pb) or pb.startswith(pa)))
    return False


def entry_match(a, b):
    (ha, pa), (hb, pb) = a, b
    if pa is not None and pb is not None and pa != pb:
        return False
    return host_match(ha, hb)


def fmt(e):
    h, p = e
    return h if p is None else f'{h}:{p}'


# ---------------------------------------------------------------- inferred

def tollgate_bin():
    env = os.environ.get('TOLLGATE')
    if env:
        return env
    ct = os.environ.get('CARGO_TARGET_DIR')
    if ct and os.path.exists(os.path.join(ct, 'release', 'tollgate')):
        return os.path.join(ct, 'release', 'tollgate')
    return os.path.join(ROOT, 'target', 'release', 'tollgate')


def inferred_of_repo(repo):
    if not os.path.exists(tollgate_bin()):
        sys.exit(f'no tollgate binary at {tollgate_bin()}: build it (cargo build --release) or set TOLLGATE')
    p = subprocess.run([tollgate_bin(), 'egress', '--format', 'json', repo],
                       capture_output=True, text=True)
    if p.returncode not in (0, 1):
        sys.exit(f'tollgate failed on {repo} (exit {p.returncode}): {p.stderr[:2000]}')
    doc = json.loads(p.stdout)
    out = {}
    for j in doc['jobs']:
        wf = j['workflow']
        if os.path.isabs(wf):
            wf = os.path.relpath(wf, repo)
        wf = re.sub(r'^(\./)+', '', wf)
        # The display path may start with the repository directory's name.
        i = wf.find('.github/')
        if i > 0:
            wf = wf[i:]
        out[(wf, j['job'])] = j
    return out


# ---------------------------------------------------------------- measuring

def is_implicit(e):
    return any(entry_match(e, i) for i in IMPLICIT)


def step_label(st):
    if not isinstance(st, dict):
        return str(st)
    if st.get('uses'):
        return f"uses {st['uses']}"
    run = str(st.get('run') or '').strip().splitlines()
    name = st.get('name')
    first = run[0] if run else ''
    more = f' (+{len(run) - 1} lines)' if len(run) > 1 else ''
    return f"run: {first}{more}" + (f'  [{name}]' if name else '')


def measure_job(key, truth, inf, list_conditional=False):
    t_entries = truth['entries']
    res = {'workflow': key[0], 'job': key[1], 'truth': len(t_entries)}
    if inf is None:
        res.update(found=False, inferred=0, matched=0, recall=0.0, missed=[fmt(e) for e in t_entries],
                   extras=[], optional=[], conditional=[], warned=False, unresolved=[], unknown_actions=[])
        return res
    dests = []
    for d in inf['destinations']:
        dests.append({'entry': (d['host'].lower().rstrip('.'), d['port']),
                      # Older builds said `optional` for platform-only destinations too.
                      'optional': d['optional'] and not d['platform'],
                      'conditional': d.get('conditional'),
                      'platform': d['platform'],
                      'wildcard': d['wildcard'],
                      'kinds': sorted({p['kind'] for p in d['provenance']}),
                      'labels': sorted({p['label'] for p in d['provenance']})})
    allowed = set(inf.get('allowed_endpoints') or [])
    # What the harden-runner block lists: conditional destinations are comments.
    conditional = [d for d in dests if d['conditional'] and not list_conditional]
    dests = [d for d in dests if list_conditional or not d['conditional']]
    all_inf = [d['entry'] for d in dests]
    matched = [e for e in t_entries if any(entry_match(e, i) for i in all_inf)]
    missed = [e for e in t_entries if e not in matched]
    t_explicit = [e for e in t_entries if not is_implicit(e)]
    matched_explicit = [e for e in t_explicit if e in matched]
    scored = [d for d in dests if not d['optional']]
    in_truth = [d for d in scored if any(entry_match(d['entry'], t) for t in t_entries)]
    in_impl = [d for d in scored if d not in in_truth and is_implicit(d['entry'])]
    extras = [d for d in scored if d not in in_truth and d not in in_impl]
    optional = [d for d in dests if d['optional']]
    warned = bool(inf['unresolved'] or inf['unknown_actions'])
    res.update(
        found=True,
        inferred=len(scored),
        matched=len(matched),
        truth_explicit=len(t_explicit),
        matched_explicit=len(matched_explicit),
        in_truth=len(in_truth),
        in_implicit=len(in_impl),
        platform=sum(1 for d in scored if d['platform']),
        recall=len(matched) / len(t_entries) if t_entries else 1.0,
        precision=(len(in_truth) + len(in_impl)) / len(scored) if scored else 1.0,
        missed=[fmt(e) for e in missed],
        missed_implicit=[fmt(e) for e in missed if is_implicit(e)],
        extras=[{'entry': fmt(d['entry']), 'kinds': d['kinds'], 'labels': d['labels'],
                 'platform': d['platform'],
                 'in_allowed_endpoints': fmt(d['entry']) in allowed} for d in extras],
        optional=[{'entry': fmt(d['entry']), 'in_truth': any(entry_match(d['entry'], t) for t in t_entries)}
                  for d in optional],
        conditional=[{'entry': fmt(d['entry']), 'in_truth': any(entry_match(d['entry'], t) for t in t_entries)}
                     for d in conditional],
        warned=warned,
        unresolved=[f"{u['text']} ({u['kind']}: {u['label']})" for u in inf['unresolved']],
        unknown_actions=[u['reference'] for u in inf['unknown_actions']],
    )
    return res


def tot(rows):
    t = {k: sum(r.get(k, 0) for r in rows) for k in
         ('truth', 'matched', 'truth_explicit', 'matched_explicit', 'inferred', 'in_truth',
          'in_implicit', 'platform')}
    t['jobs'] = len(rows)
    t['missed'] = sum(len(r['missed']) for r in rows)
    t['missed_warned'] = sum(len(r['missed']) for r in rows if r['warned'])
    t['missed_silent'] = t['missed'] - t['missed_warned']
    t['extras'] = sum(len(r['extras']) for r in rows)
    t['optional'] = sum(len(r['optional']) for r in rows)
    t['optional_in_truth'] = sum(sum(1 for o in r['optional'] if o['in_truth']) for r in rows)
    t['conditional'] = sum(len(r['conditional']) for r in rows)
    t['conditional_in_truth'] = sum(sum(1 for o in r['conditional'] if o['in_truth']) for r in rows)
    t['jobs_warned'] = sum(1 for r in rows if r['warned'])
    t['jobs_not_inferred'] = sum(1 for r in rows if not r['found'])
    t['recall'] = t['matched'] / t['truth'] if t['truth'] else None
    t['recall_explicit'] = t['matched_explicit'] / t['truth_explicit'] if t['truth_explicit'] else None
    t['precision'] = (t['in_truth'] + t['in_implicit']) / t['inferred'] if t['inferred'] else None
    t['precision_truth_only'] = t['in_truth'] / t['inferred'] if t['inferred'] else None
    return t


def pct(x):
    return '–' if x is None else f'{100 * x:.0f}%'


def default_repos():
    ce = os.path.join(SHARED, 'corpus-egress')
    repos = [os.path.join(ce, d) for d in sorted(os.listdir(ce))
             if os.path.isdir(os.path.join(ce, d, '.github'))]
    hr = os.path.join(SHARED, 'corpus', 'step-security__harden-runner')
    if os.path.isdir(hr):
        repos.append(hr)
    return repos


def main(argv):
    as_json = '--json' in argv
    misses = '--misses' in argv
    list_conditional = '--list-conditional' in argv
    repos = [a for a in argv if not a.startswith('--')] or default_repos()
    report = {'tollgate': tollgate_bin(), 'repos': []}
    all_rows = []
    for repo in repos:
        repo = os.path.abspath(repo)
        truth = truth_of_repo(repo)
        inferred = inferred_of_repo(repo)
        rows = []
        for key in sorted(truth):
            r = measure_job(key, truth[key], inferred.get(key), list_conditional)
            r['steps'] = [step_label(s) for s in truth[key]['steps']]
            rows.append(r)
        all_rows += rows
        report['repos'].append({'repo': os.path.basename(repo), 'path': repo, 'jobs': rows,
                                'total': tot(rows)})
    report['total'] = tot(all_rows)
    if as_json:
        json.dump(report, sys.stdout, indent=2)
        print()
        return
    for rep in report['repos']:
        print(f"## {rep['repo']}\n")
        print('| workflow | job | truth | inferred | matched | recall | precision | missed (warned?) | extras | optional |')
        print('|---|---|---|---|---|---|---|---|---|---|')
        for r in rep['jobs']:
            if not r['found']:
                print(f"| {r['workflow']} | {r['job']} | {r['truth']} | (job not in tollgate output) | | | | {len(r['missed'])} | | |")
                continue
            w = ' (warned)' if r['warned'] and r['missed'] else ''
            print(f"| {r['workflow']} | {r['job']} | {r['truth']} | {r['inferred']} | {r['matched']} | "
                  f"{pct(r['recall'])} | {pct(r['precision'])} | {len(r['missed'])}{w} | "
                  f"{len(r['extras'])} | {len(r['optional'])} |")
        t = rep['total']
        print(f"\ntotal: {t['jobs']} jobs, recall {pct(t['recall'])} ({t['matched']}/{t['truth']}), "
              f"recall without implicit {pct(t['recall_explicit'])} ({t['matched_explicit']}/{t['truth_explicit']}), "
              f"precision {pct(t['precision'])} ({t['in_truth']}+{t['in_implicit']} implicit/{t['inferred']}), "
              f"precision truth-only {pct(t['precision_truth_only'])}, "
              f"misses {t['missed']} (warned {t['missed_warned']}, silent {t['missed_silent']}), "
              f"extras {t['extras']}, optional {t['optional']} ({t['optional_in_truth']} in truth), "
              f"conditional {t['conditional']} ({t['conditional_in_truth']} in truth)\n")
        if misses:
            for r in rep['jobs']:
                if not (r['missed'] or r['extras'] or r['optional'] or r['conditional']):
                    continue
                print(f"### {r['workflow']} / {r['job']}")
                for m in r['missed']:
                    imp = ' (implicit in harden-runner)' if m in r.get('missed_implicit', []) else ''
                    print(f'  MISSED {m}{imp}')
                for x in r['extras']:
                    tag = ' platform' if x['platform'] else ''
                    tag += '' if x['in_allowed_endpoints'] else ' (not in allowed_endpoints)'
                    print(f"  EXTRA  {x['entry']}  [{', '.join(x['kinds'])}{tag}] {'; '.join(x['labels'])[:200]}")
                for o in r['optional']:
                    print(f"  OPTIONAL {o['entry']}{' (in truth)' if o['in_truth'] else ''}")
                for o in r['conditional']:
                    print(f"  CONDITIONAL {o['entry']}{' (in truth)' if o['in_truth'] else ''}")
                for u in r['unresolved']:
                    print(f'  unresolved: {u}')
                for u in r['unknown_actions']:
                    print(f'  unknown action: {u}')
                print('  steps:')
                for s in r['steps']:
                    print(f'    - {s[:160]}')
                print()
    t = report['total']
    print('## Total (micro-averaged over entries)\n')
    print(f"jobs {t['jobs']} (not in tollgate output: {t['jobs_not_inferred']}, with warnings: {t['jobs_warned']})")
    print(f"recall {pct(t['recall'])} ({t['matched']}/{t['truth']}); "
          f"without truth entries harden-runner allows implicitly {pct(t['recall_explicit'])} "
          f"({t['matched_explicit']}/{t['truth_explicit']})")
    print(f"precision {pct(t['precision'])} (({t['in_truth']} in truth + {t['in_implicit']} implicit)/{t['inferred']}); "
          f"truth only {pct(t['precision_truth_only'])}; platform entries {t['platform']}")
    print(f"misses {t['missed']}: warned {t['missed_warned']}, silent {t['missed_silent']}; "
          f"extras {t['extras']}; optional {t['optional']} ({t['optional_in_truth']} in truth); "
          f"conditional {t['conditional']} ({t['conditional_in_truth']} in truth)")


if __name__ == '__main__':
    main(sys.argv[1:])
