//! GitLab CI/CD variable expressions (`rules: if:`, `only: variables:`), evaluated for
//! one kind of pipeline with three outcomes: true, false, or decided by a value the files
//! do not show (a project variable, a branch name).
//!
//! The grammar is GitLab's: `$VAR` / `${VAR}`, quoted strings, `/regex/` patterns, `null`,
//! `==`, `!=`, `=~`, `!~`, `&&`, `||` and parentheses (`&&` binds tighter than `||`).
//! Which predefined variables a pipeline has is GitLab's documented table: the
//! `CI_MERGE_REQUEST_*` variables exist only in merge request pipelines,
//! `CI_COMMIT_BRANCH` only in branch pipelines, `CI_COMMIT_TAG` only in tag pipelines,
//! `CI_PIPELINE_SOURCE` always. In a merge request pipeline, which takes no pipeline
//! variables, a variable the configuration does not set is read as unset.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::sources::{RefKind, Source};

/// A truth value with "unknown" (Kleene's logic).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tri {
    True,
    False,
    Unknown,
}

impl Tri {
    pub(crate) const fn not(self) -> Self {
        match self {
            Self::True => Self::False,
            Self::False => Self::True,
            Self::Unknown => Self::Unknown,
        }
    }

    pub(crate) const fn and(self, o: Self) -> Self {
        match (self, o) {
            (Self::False, _) | (_, Self::False) => Self::False,
            (Self::True, Self::True) => Self::True,
            _ => Self::Unknown,
        }
    }

    pub(crate) const fn or(self, o: Self) -> Self {
        match (self, o) {
            (Self::True, _) | (_, Self::True) => Self::True,
            (Self::False, Self::False) => Self::False,
            _ => Self::Unknown,
        }
    }
}

/// The pipeline an expression is evaluated for.
#[derive(Clone, Copy, Debug)]
pub struct Pipeline {
    pub source: Source,
    pub reference: RefKind,
}

/// Variables the configuration gives a value: `rules:` read them. A project variable of
/// the same name would override them; the files' value is taken. `None`: a value
/// `workflow: rules:` may set, not known.
pub type Vars = [(String, Option<String>)];

/// The variables an expression reads, in layers searched in order (the job's
/// `variables:`, then what a `workflow: rules:` entry sets, then the top-level ones): the
/// first layer that names a variable gives its value. Layers, not one merged list, so
/// that evaluating a job's rules for every kind of pipeline copies nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Known<'a> {
    layers: [&'a Vars; 3],
}

impl<'a> Known<'a> {
    /// Up to three layers, the first the strongest.
    #[must_use]
    pub const fn new(layers: [&'a Vars; 3]) -> Self {
        Self { layers }
    }

    /// One layer.
    #[must_use]
    pub const fn of(vars: &'a Vars) -> Self {
        Self::new([vars, &[], &[]])
    }

    /// The value the first layer naming `name` gives it.
    fn get(&self, name: &str) -> Option<&'a Option<String>> {
        self.layers
            .iter()
            .find_map(|l| l.iter().find(|(n, _)| n == name))
            .map(|(_, v)| v)
    }
}

/// What a variable holds in a pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Val<'a> {
    /// Not defined.
    Undef,
    /// Defined, with this value.
    Str(&'a str),
    /// Defined and not empty, with a value the files do not show.
    Defined,
    /// Maybe defined, any value.
    Unknown,
}

/// Predefined variables that a merge request pipeline may leave empty (labels, a
/// milestone): not known to be set even there.
const MR_OPTIONAL: &[&str] = &[
    "CI_MERGE_REQUEST_LABELS",
    "CI_MERGE_REQUEST_MILESTONE",
    "CI_MERGE_REQUEST_ASSIGNEES",
    "CI_MERGE_REQUEST_DESCRIPTION",
    "CI_MERGE_REQUEST_DESCRIPTION_IS_TRUNCATED",
    "CI_MERGE_REQUEST_DRAFT",
    "CI_MERGE_REQUEST_APPROVED",
    "CI_MERGE_REQUEST_SQUASH_ON_MERGE",
];

fn value<'a>(name: &str, p: Pipeline, known: Known<'a>) -> Val<'a> {
    let mr = p.source == Source::MergeRequestEvent;
    if !name.starts_with("CI_")
        && let Some(v) = known.get(name)
    {
        return v.as_deref().map_or(Val::Unknown, Val::Str);
    }
    match name {
        "CI_PIPELINE_SOURCE" => Val::Str(p.source.as_str()),
        "CI_COMMIT_BRANCH" => {
            if p.reference == RefKind::Branch {
                Val::Defined
            } else {
                Val::Undef
            }
        }
        "CI_COMMIT_TAG" | "CI_COMMIT_TAG_MESSAGE" => {
            if p.reference == RefKind::Tag {
                Val::Defined
            } else {
                Val::Undef
            }
        }
        "CI_OPEN_MERGE_REQUESTS" if p.reference == RefKind::Tag => Val::Undef,
        // A merge request's ref is not a protected branch (a fork's never is).
        "CI_COMMIT_REF_PROTECTED" if mr => Val::Str("false"),
        "CI_COMMIT_REF_NAME"
        | "CI_COMMIT_REF_SLUG"
        | "CI_DEFAULT_BRANCH"
        | "CI_COMMIT_SHA"
        | "CI_PROJECT_PATH"
        | "CI_PROJECT_NAMESPACE"
        | "CI_PROJECT_ID"
        | "CI_PROJECT_NAME"
        | "CI_SERVER_HOST"
        | "CI_PROJECT_URL" => Val::Defined,
        n if n.starts_with("CI_MERGE_REQUEST_") => {
            if !mr {
                Val::Undef
            } else if MR_OPTIONAL.contains(&n) {
                Val::Unknown
            } else {
                Val::Defined
            }
        }
        n if n.starts_with("CI_EXTERNAL_PULL_REQUEST_") => {
            if p.source == Source::ExternalPullRequest {
                Val::Defined
            } else {
                Val::Undef
            }
        }
        // A merge request pipeline gets no pipeline variables (schedules, manual, API
        // and trigger pipelines do): a variable the files do not set is read as unset
        // there, as it is unless a project or group CI/CD variable has that name.
        n if mr && !n.starts_with("CI_") && !n.starts_with("GITLAB_") => Val::Undef,
        _ => Val::Unknown,
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Var(String),
    Str(String),
    /// A pattern, read once when it is lexed: [`Simple`] when it is simple enough to judge.
    Re(Option<Simple>),
    Null,
    Op(&'static str),
    Open,
    Close,
}

thread_local! {
    /// Expressions lexed so far: a job's rules are evaluated for every kind of pipeline
    /// and every assignment `workflow: rules:` may make, and templates repeat them over
    /// jobs. Emptied when it grows large (an organisation scan reads many configurations).
    static LEXED: RefCell<HashMap<String, Option<Rc<[Tok]>>>> = RefCell::new(HashMap::new());
}

/// Distinct expressions kept in [`LEXED`] before it is emptied.
const LEXED_MAX: usize = 4096;

/// [`lex`], once per distinct expression.
fn lexed(expr: &str) -> Option<Rc<[Tok]>> {
    LEXED.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(toks) = cache.get(expr) {
            return toks.clone();
        }
        if cache.len() >= LEXED_MAX {
            cache.clear();
        }
        let toks: Option<Rc<[Tok]>> = lex(expr).map(Rc::from);
        cache.insert(expr.to_owned(), toks.clone());
        toks
    })
}

fn lex(s: &str) -> Option<Vec<Tok>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'(' => {
                out.push(Tok::Open);
                i += 1;
            }
            b')' => {
                out.push(Tok::Close);
                i += 1;
            }
            b'$' => {
                let braced = b.get(i + 1) == Some(&b'{');
                let start = i + 1 + usize::from(braced);
                let mut j = start;
                while j < b.len() && ident(b[j]) {
                    j += 1;
                }
                if j == start {
                    return None;
                }
                out.push(Tok::Var(s[start..j].to_owned()));
                i = j + usize::from(braced && b.get(j) == Some(&b'}'));
            }
            b'"' | b'\'' => {
                let end = s[i + 1..].find(c as char)? + i + 1;
                out.push(Tok::Str(s[i + 1..end].to_owned()));
                i = end + 1;
            }
            b'/' => {
                // A pattern runs to the next unescaped `/`; flags follow.
                let mut j = i + 1;
                while j < b.len() && b[j] != b'/' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                if j >= b.len() {
                    return None;
                }
                let mut k = j + 1;
                let case = b.get(k) == Some(&b'i');
                while k < b.len() && b[k].is_ascii_alphabetic() {
                    k += 1;
                }
                let pat = &s[i + 1..j];
                out.push(Tok::Re(Simple::new(&if case {
                    format!("(?i){pat}")
                } else {
                    pat.to_owned()
                })));
                i = k;
            }
            _ => {
                let two = s.get(i..i + 2).unwrap_or("");
                if let Some(op) = ["==", "!=", "=~", "!~", "&&", "||"]
                    .into_iter()
                    .find(|o| *o == two)
                {
                    out.push(Tok::Op(op));
                    i += 2;
                } else if s[i..].starts_with("null") {
                    out.push(Tok::Null);
                    i += 4;
                } else {
                    return None;
                }
            }
        }
    }
    Some(out)
}

/// The literal strings a pattern body matches exactly, when it is made of literal text,
/// `|` and groups of literal alternatives (`EE_(RC|TAG)_BUILD`, `(?:push|web)`).
fn alternatives(body: &str) -> Option<Vec<String>> {
    let literal = |a: &str| {
        a.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
    };
    // Top-level `|` first.
    let mut depth = 0usize;
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in body.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.checked_sub(1)?,
            '|' if depth == 0 => {
                parts.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&body[start..]);
    if parts.len() > 1 {
        let mut out = Vec::new();
        for p in parts {
            out.extend(alternatives(p)?);
        }
        return Some(out);
    }
    // One sequence: text, then at most groups of alternatives.
    let Some(open) = body.find('(') else {
        return literal(body).then(|| vec![body.to_owned()]);
    };
    let mut depth = 0usize;
    let close = body[open..].char_indices().find_map(|(i, c)| {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
        None
    })?;
    let head = &body[..open];
    let inner = &body[open + 1..close];
    let inner = inner.strip_prefix("?:").unwrap_or(inner);
    if !literal(head) {
        return None;
    }
    let mids = alternatives(inner)?;
    let tails = alternatives(&body[close + 1..])?;
    let mut out = Vec::new();
    for m in &mids {
        for t in &tails {
            out.push(format!("{head}{m}{t}"));
        }
    }
    (out.len() <= 64).then_some(out)
}

/// A GitLab pattern simple enough to be sure of what it matches: literal alternatives,
/// optionally anchored (`/^(push|web)$/`, `/^EE_(RC|TAG)_BUILD$/`), optionally
/// case-insensitive (`/…/i`).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Simple {
    start: bool,
    end: bool,
    fold: bool,
    /// The alternatives, in lower case when `fold`.
    alts: Vec<String>,
}

impl Simple {
    /// The pattern `re` (between the slashes, `(?i)` before it for `/…/i`), `None` when
    /// it is not simple.
    fn new(re: &str) -> Option<Self> {
        let (re, fold) = match re.strip_prefix("(?i)") {
            Some(r) => (r, true),
            None => (re, false),
        };
        let (start, rest) = re.strip_prefix('^').map_or((false, re), |r| (true, r));
        let (end, body) = rest.strip_suffix('$').map_or((false, rest), |r| (true, r));
        let mut alts = alternatives(body)?;
        if fold {
            for a in &mut alts {
                a.make_ascii_lowercase();
            }
        }
        Some(Self {
            start,
            end,
            fold,
            alts,
        })
    }

    fn matches(&self, text: &str) -> bool {
        let folded;
        let text = if self.fold {
            folded = text.to_ascii_lowercase();
            folded.as_str()
        } else {
            text
        };
        self.alts.iter().any(|a| match (self.start, self.end) {
            (true, true) => text == a,
            (true, false) => text.starts_with(a.as_str()),
            (false, true) => text.ends_with(a.as_str()),
            (false, false) => text.contains(a.as_str()),
        })
    }
}

enum Operand<'t> {
    Val(Val<'t>),
    Re(&'t Option<Simple>),
    Null,
}

struct Parser<'a> {
    toks: &'a [Tok],
    at: usize,
    p: Pipeline,
    known: Known<'a>,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn or(&mut self) -> Option<Tri> {
        let mut v = self.and()?;
        while self.peek() == Some(&Tok::Op("||")) {
            self.at += 1;
            v = v.or(self.and()?);
        }
        Some(v)
    }

    fn and(&mut self) -> Option<Tri> {
        let mut v = self.cmp()?;
        while self.peek() == Some(&Tok::Op("&&")) {
            self.at += 1;
            v = v.and(self.cmp()?);
        }
        Some(v)
    }

    fn operand(&mut self) -> Option<Operand<'a>> {
        let t = self.toks.get(self.at)?;
        self.at += 1;
        Some(match t {
            Tok::Var(n) => Operand::Val(value(n, self.p, self.known)),
            Tok::Str(s) => Operand::Val(Val::Str(s)),
            Tok::Re(r) => Operand::Re(r),
            Tok::Null => Operand::Null,
            _ => return None,
        })
    }

    fn cmp(&mut self) -> Option<Tri> {
        if self.peek() == Some(&Tok::Open) {
            self.at += 1;
            let v = self.or()?;
            if self.peek() != Some(&Tok::Close) {
                return None;
            }
            self.at += 1;
            return Some(v);
        }
        let left = self.operand()?;
        let op = match self.peek() {
            Some(Tok::Op(op)) if matches!(*op, "==" | "!=" | "=~" | "!~") => *op,
            // A variable alone: true when it is defined and not empty.
            _ => {
                return Some(match left {
                    Operand::Val(Val::Undef) | Operand::Null => Tri::False,
                    Operand::Val(Val::Str(s)) => {
                        if s.is_empty() {
                            Tri::False
                        } else {
                            Tri::True
                        }
                    }
                    Operand::Val(Val::Defined) | Operand::Re(_) => Tri::True,
                    Operand::Val(Val::Unknown) => Tri::Unknown,
                });
            }
        };
        self.at += 1;
        let right = self.operand()?;
        let v = match op {
            "==" | "!=" => {
                let eq = equal(&left, &right);
                if op == "==" { eq } else { eq.not() }
            }
            _ => {
                let m = matches(&left, &right);
                if op == "=~" { m } else { m.not() }
            }
        };
        Some(v)
    }
}

fn equal(a: &Operand, b: &Operand) -> Tri {
    fn val<'o, 't>(o: &'o Operand<'t>) -> Option<&'o Val<'t>> {
        match o {
            Operand::Val(v) => Some(v),
            Operand::Null => Some(&Val::Undef),
            Operand::Re(_) => None,
        }
    }
    let (Some(a), Some(b)) = (val(a), val(b)) else {
        return Tri::Unknown;
    };
    match (a, b) {
        (Val::Unknown, _) | (_, Val::Unknown) => Tri::Unknown,
        (Val::Undef, Val::Undef) => Tri::True,
        (Val::Str(x), Val::Str(y)) => {
            if x == y {
                Tri::True
            } else {
                Tri::False
            }
        }
        // Defined (not empty) against undefined: different.
        (Val::Undef, _) | (_, Val::Undef) => Tri::False,
        _ => Tri::Unknown,
    }
}

fn matches(a: &Operand, b: &Operand) -> Tri {
    let (Operand::Val(v), Operand::Re(re)) = (a, b) else {
        return Tri::Unknown;
    };
    match v {
        Val::Undef => Tri::False,
        Val::Str(s) => match re {
            Some(re) if re.matches(s) => Tri::True,
            Some(_) => Tri::False,
            None => Tri::Unknown,
        },
        Val::Defined | Val::Unknown => Tri::Unknown,
    }
}

/// `expr` evaluated for pipeline `p`, with the variables the configuration sets;
/// unknown when it cannot be read.
#[must_use]
pub fn eval(expr: &str, p: Pipeline, known: Known<'_>) -> Tri {
    let Some(toks) = lexed(expr) else {
        return Tri::Unknown;
    };
    let mut parser = Parser {
        toks: &toks,
        at: 0,
        p,
        known,
    };
    match parser.or() {
        Some(v) if parser.at == toks.len() => v,
        _ => Tri::Unknown,
    }
}
