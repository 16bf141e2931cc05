//! A small getopt-style scanner shared by the recognisers: combined short flags (`-fsSL`),
//! attached values (`-ofile`, `--output=file`), `--` and one-dash long options.

use tollgate_model::Span;

use crate::command::Word;

/// Which options of a tool take a value: the knowledge base's type, so that the package
/// managers' tables live there and the download tools' tables here read the same way.
pub(crate) use tollgate_kb::Flags as OptSpec;

/// An option value: its static text (if any) and its span.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Val<'w> {
    pub text: Option<&'w str>,
    pub span: Span,
    pub word: &'w Word,
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Arg<'w> {
    Opt {
        name: &'w str,
        long: bool,
        value: Option<Val<'w>>,
        word: &'w Word,
    },
    Pos(&'w Word),
}

impl<'w> Arg<'w> {
    /// Whether this is the option `-short` or `--long` (pass `'\0'` or `""` to skip one).
    pub fn is(&self, short: char, long: &str) -> bool {
        match self {
            Arg::Opt {
                name, long: true, ..
            } => !long.is_empty() && *name == long,
            Arg::Opt {
                name, long: false, ..
            } => {
                let mut cs = name.chars();
                cs.next() == Some(short) && cs.next().is_none()
            }
            Arg::Pos(_) => false,
        }
    }

    pub fn value(&self) -> Option<Val<'w>> {
        match self {
            Arg::Opt { value, .. } => *value,
            Arg::Pos(_) => None,
        }
    }

    pub fn value_text(&self) -> Option<&'w str> {
        self.value().and_then(|v| v.text)
    }

    pub fn pos(&self) -> Option<&'w Word> {
        match self {
            Arg::Pos(w) => Some(w),
            Arg::Opt { .. } => None,
        }
    }

    pub fn word(&self) -> &'w Word {
        match self {
            Arg::Pos(w) | Arg::Opt { word: w, .. } => w,
        }
    }
}

/// The span of `sub` (a slice of `word.text`) when the word is written without quotes or
/// escapes, else the whole word.
pub(crate) fn sub_span(word: &Word, sub: &str) -> Span {
    if let Some(t) = word.as_str()
        && t.len() == word.span.len()
    {
        let off = sub.as_ptr() as usize - t.as_ptr() as usize;
        if off <= t.len() {
            return Span::new(word.span.start() + off, word.span.start() + off + sub.len());
        }
    }
    word.span
}

fn val_from_word(w: &Word) -> Val<'_> {
    Val {
        text: w.as_str(),
        span: w.span,
        word: w,
    }
}

fn val_in<'w>(w: &'w Word, sub: &'w str) -> Val<'w> {
    Val {
        text: Some(sub),
        span: sub_span(w, sub),
        word: w,
    }
}

/// Scan `args` into options and positionals.
pub(crate) fn scan<'w>(args: &'w [Word], spec: &OptSpec) -> Vec<Arg<'w>> {
    let mut out = Vec::with_capacity(args.len());
    let mut i = 0;
    let mut only_pos = false;
    while i < args.len() {
        let w = &args[i];
        i += 1;
        let Some(t) = w.as_str() else {
            out.push(Arg::Pos(w));
            continue;
        };
        if only_pos || t == "-" || !t.starts_with('-') || w.quoted && !t.starts_with('-') {
            out.push(Arg::Pos(w));
            continue;
        }
        if t == "--" {
            only_pos = true;
            continue;
        }
        if let Some(long) = t
            .strip_prefix("--")
            .or_else(|| t.strip_prefix('-').filter(|_| spec.single_dash_long))
        {
            if let Some((name, v)) = long.split_once('=') {
                out.push(Arg::Opt {
                    name,
                    long: true,
                    value: Some(val_in(w, v)),
                    word: w,
                });
            } else if spec.long_values.contains(&long) {
                let value = args.get(i).map(val_from_word);
                i += usize::from(value.is_some());
                out.push(Arg::Opt {
                    name: long,
                    long: true,
                    value,
                    word: w,
                });
            } else {
                out.push(Arg::Opt {
                    name: long,
                    long: true,
                    value: None,
                    word: w,
                });
            }
            continue;
        }
        let shorts = &t[1..];
        for (pos, c) in shorts.char_indices() {
            let name = &shorts[pos..pos + c.len_utf8()];
            if spec.short_values.contains(c) {
                let rest = &shorts[pos + c.len_utf8()..];
                let value = if rest.is_empty() {
                    let v = args.get(i).map(val_from_word);
                    i += usize::from(v.is_some());
                    v
                } else {
                    Some(val_in(w, rest))
                };
                out.push(Arg::Opt {
                    name,
                    long: false,
                    value,
                    word: w,
                });
                break;
            }
            out.push(Arg::Opt {
                name,
                long: false,
                value: None,
                word: w,
            });
        }
    }
    out
}

/// The positionals of a scan.
pub(crate) fn positionals<'a, 'w: 'a>(args: &'a [Arg<'w>]) -> impl Iterator<Item = &'w Word> + 'a {
    args.iter().filter_map(Arg::pos)
}
