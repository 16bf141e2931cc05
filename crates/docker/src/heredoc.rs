//! Here-documents that `parse-dockerfile` does not read: BuildKit takes any word of a
//! `RUN` line that is `<<WORD` (or `<<-WORD`, `<<"WORD"`) as a here-document, wherever
//! it stands (`RUN cat <<EOF > /etc/x.conf`), while the grammar reads one only right
//! after `RUN`. Before parsing, the bodies (and end lines) of the others are replaced by
//! spaces, byte for byte, so every offset stays where it was and the grammar sees blank
//! lines; their text is kept here for the `RUN` they belong to.

use tollgate_model::Span;

use crate::model::Spanned;

/// The most here-documents read from one file, and the most lines a logical line is
/// followed across: bounds the work on hostile input.
const MAX_HERE_DOCS: usize = 10_000;

/// The here-documents taken out of the text, by the offset of their `RUN` keyword.
pub(crate) type Taken = Vec<(usize, Vec<Spanned<String>>)>;

/// `text` with the bodies of here-documents the grammar would misread blanked out, and
/// those bodies; `None` when there is nothing to blank.
pub(crate) fn blank(text: &str, escape: char) -> Option<(String, Taken)> {
    let lines = lines(text);
    let mut out: Option<Vec<u8>> = None;
    let mut taken = Taken::new();
    let mut i = 0;
    while i < lines.len() {
        let (start, end) = lines[i];
        let line = &text[start..end];
        let trimmed = line.trim_start();
        let keyword = trimmed
            .get(..3)
            .is_some_and(|k| k.eq_ignore_ascii_case("run"))
            && trimmed[3..].starts_with([' ', '\t']);
        if !keyword {
            i += 1;
            continue;
        }
        let run_at = start + (line.len() - trimmed.len());
        // The logical line: physical lines joined while one ends with the escape
        // character (comment and blank lines in between are skipped, as Docker does).
        let mut logical = String::new();
        let mut j = i;
        loop {
            let (s, e) = lines[j];
            let l = text[s..e].trim_end_matches(['\r', '\n']);
            let is_comment = j != i && {
                let t = l.trim_start();
                t.is_empty() || t.starts_with('#')
            };
            j += 1;
            if is_comment {
                if j >= lines.len() {
                    break;
                }
                continue;
            }
            let body = l.trim_end();
            match body.strip_suffix(escape) {
                Some(cont) if j < lines.len() => {
                    logical.push_str(cont);
                    logical.push(' ');
                }
                _ => {
                    logical.push_str(body);
                    break;
                }
            }
        }
        // The words after the `RUN` keyword (leading blanks and `RUN` are ASCII).
        let words = words(&logical[(run_at - start + 3).min(logical.len())..]);
        let command: Vec<&str> = words
            .iter()
            .copied()
            .skip_while(|w| w.starts_with("--"))
            .collect();
        let docs: Vec<(String, bool)> = command.iter().filter_map(|w| here_doc(w)).collect();
        let the_grammar_reads_it =
            docs.len() == 1 && command.first().is_some_and(|w| here_doc(w).is_some());
        if docs.is_empty() || the_grammar_reads_it {
            i = j;
            continue;
        }
        // The bodies follow the logical line, one after the other.
        let mut bodies = Vec::new();
        for (delim, strip_tabs) in docs {
            let body_start = lines.get(j).map_or(text.len(), |l| l.0);
            let end_line = (j..lines.len()).find(|&k| {
                let (s, e) = lines[k];
                let l = text[s..e].trim_end_matches(['\r', '\n']);
                let l = if strip_tabs {
                    l.trim_start_matches('\t')
                } else {
                    l
                };
                l == delim
            });
            let Some(k) = end_line else {
                // No end line: the grammar reads on and reports what it finds.
                break;
            };
            let body_end = lines[k].0;
            let value: String = lines[j..k]
                .iter()
                .map(|&(s, e)| {
                    let l = &text[s..e];
                    if strip_tabs {
                        l.trim_start_matches('\t')
                    } else {
                        l
                    }
                })
                .collect();
            bodies.push(Spanned::new(value, Span::new(body_start, body_end)));
            let buf = out.get_or_insert_with(|| text.as_bytes().to_vec());
            let blank_to = lines[k].1;
            for b in &mut buf[body_start..blank_to] {
                if *b != b'\n' && *b != b'\r' {
                    *b = b' ';
                }
            }
            j = k + 1;
        }
        if !bodies.is_empty() {
            taken.push((run_at, bodies));
            if taken.len() >= MAX_HERE_DOCS {
                break;
            }
        }
        i = j.max(i + 1);
    }
    let out = out?;
    // Only ASCII bytes of whole lines were replaced by ASCII spaces, and every byte of a
    // multi-byte character in them with it, so the text is still UTF-8.
    String::from_utf8(out).ok().map(|s| (s, taken))
}

/// `(start, end)` of every line, its terminator included.
fn lines(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

/// The whitespace-separated words of a line, quoted parts kept together.
fn words(s: &str) -> Vec<&str> {
    crate::words(s).into_iter().map(|(a, b)| &s[a..b]).collect()
}

/// The delimiter of a here-document word (`<<EOF`, `<<-EOF`, `<<"EOF"`, `2<<EOF`) and
/// whether leading tabs are stripped.
fn here_doc(word: &str) -> Option<(String, bool)> {
    let w = word.trim_start_matches(|c: char| c.is_ascii_digit());
    let w = w.strip_prefix("<<")?;
    let (w, strip_tabs) = match w.strip_prefix('-') {
        Some(rest) => (rest, true),
        None => (w, false),
    };
    let delim = w.trim_matches(['"', '\'']);
    let ok = !delim.is_empty()
        && delim
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    ok.then(|| (delim.to_owned(), strip_tabs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_after_the_first_word_are_blanked_in_place() {
        let text = "FROM a\nRUN cat <<-EOF > $HOME/.my.cnf && chmod 600 $HOME/.my.cnf\n[client]\n\tssl=OFF\n\tEOF\nRUN echo done\n";
        let (blanked, taken) = blank(text, '\\').expect("blanked");
        assert_eq!(blanked.len(), text.len());
        assert_eq!(
            blanked,
            "FROM a\nRUN cat <<-EOF > $HOME/.my.cnf && chmod 600 $HOME/.my.cnf\n        \n        \n    \nRUN echo done\n"
        );
        assert_eq!(taken.len(), 1);
        assert_eq!(taken[0].0, 7);
        assert_eq!(taken[0].1[0].value, "[client]\nssl=OFF\n");
    }

    #[test]
    fn what_the_grammar_reads_and_what_is_no_here_doc_are_left() {
        for text in [
            "FROM a\nRUN <<EOF\necho\nEOF\n",
            "FROM a\nRUN echo $((1<<2))\n",
            "FROM a\nRUN echo \"<<EOF\"\n",
            "FROM a\nRUN cat <<EOF\nno end line\n",
            "FROM a\nRUNNER <<EOF\n",
        ] {
            assert!(blank(text, '\\').is_none(), "{text:?}");
        }
    }

    #[test]
    fn two_here_docs_and_continuations() {
        let text = "FROM a\nRUN --mount=type=cache,target=/x \\\n  cat <<A >a && cat <<'B' > b\none\nA\ntwo\nB\n";
        let (blanked, taken) = blank(text, '\\').expect("blanked");
        assert!(!blanked.contains("one") && !blanked.contains("two"));
        let bodies: Vec<&str> = taken[0].1.iter().map(|b| b.value.as_str()).collect();
        assert_eq!(bodies, ["one\n", "two\n"]);
        for b in &taken[0].1 {
            assert_eq!(&text[b.span.range()], b.value);
        }
    }
}
