//! `spec: inputs:` and `include: inputs:`: a file written for inputs names them as
//! `$[[ inputs.NAME ]]` anywhere in its configuration (values and keys); GitLab replaces
//! each with the value the including entry gives, else the `default:` of the file's
//! `spec:` header, when it reads the file. A reference with neither stays as written
//! (GitLab would reject the configuration). Only scalar values are interpolated. The
//! functions after a `|` are applied in order: `truncate(OFFSET, LENGTH)` and
//! `posix_escape` as GitLab applies them; `expand_vars` leaves the value as it is, because
//! its `$VAR`s are read as variables later in any case (their values are not known
//! offline). A reference with a function GitLab does not define stays as written.

use tollgate_yaml::{Node, NodeKind};

/// The `inputs:` of a `spec:` header: each name with its `default:` when it is a scalar.
pub(crate) fn spec_defaults(header: &Node) -> Vec<(String, Option<String>)> {
    header
        .get("spec")
        .and_then(|s| s.get("inputs"))
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| {
            let name = k.as_str()?.to_owned();
            let default = v
                .get("default")
                .and_then(Node::as_scalar)
                .map(|s| s.value.clone());
            Some((name, default))
        })
        .collect()
}

/// The scalar values of an include entry's `inputs:` mapping.
pub(crate) fn given(entry: &Node) -> Vec<(String, String)> {
    entry
        .get("inputs")
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), v.as_scalar()?.value.clone())))
        .collect()
}

/// `text` with every `$[[ inputs.NAME … ]]` whose value is known replaced; `None` when
/// nothing was.
fn replace(text: &str, value: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    if !text.contains("$[[") {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(i) = rest.find("$[[") {
        let Some(len) = rest[i..].find("]]") else {
            break;
        };
        let inner = rest[i + 3..i + len].trim();
        let mut parts = inner.split('|').map(str::trim);
        let name = parts.next().and_then(|n| n.strip_prefix("inputs."));
        let functions: Vec<&str> = parts.collect();
        out.push_str(&rest[..i]);
        match name
            .and_then(value)
            .and_then(|v| functions.iter().try_fold(v, |v, f| apply(f, v)))
        {
            Some(v) => {
                out.push_str(&v);
                changed = true;
            }
            None => out.push_str(&rest[i..i + len + 2]),
        }
        rest = &rest[i + len + 2..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// `value` through one interpolation function (`truncate(1, 3)`, `posix_escape`,
/// `expand_vars`); `None` for a function GitLab does not define or bad arguments.
fn apply(function: &str, value: String) -> Option<String> {
    match function {
        "expand_vars" => Some(value),
        "posix_escape" => Some(posix_escape(&value)),
        f => {
            let args = f.strip_prefix("truncate")?.trim_start();
            let args = args.strip_prefix('(')?.strip_suffix(')')?;
            let (offset, length) = args.split_once(',')?;
            let offset: usize = offset.trim().parse().ok()?;
            let length: usize = length.trim().parse().ok()?;
            Some(value.chars().skip(offset).take(length).collect())
        }
    }
}

/// `text` as one word of a POSIX shell: every character outside the safe set is
/// escaped with a backslash, a newline is quoted, and the empty text is `''`.
fn posix_escape(text: &str) -> String {
    if text.is_empty() {
        return "''".to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("'\n'"),
            c if c.is_ascii_alphanumeric() || "_-.,:+/@".contains(c) => out.push(c),
            c => {
                out.push('\\');
                out.push(c);
            }
        }
    }
    out
}

/// `node` with its inputs interpolated: `given` values first, then `defaults`.
#[must_use]
pub(crate) fn interpolate(
    node: &Node,
    given: &[(String, String)],
    defaults: &[(String, Option<String>)],
) -> Node {
    let value = |name: &str| {
        given
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .or_else(|| {
                defaults
                    .iter()
                    .find(|(n, _)| n == name)
                    .and_then(|(_, d)| d.clone())
            })
    };
    walk(node, &value, 0)
}

/// Deepest nesting interpolated.
const MAX_DEPTH: usize = 64;

fn walk(node: &Node, value: &dyn Fn(&str) -> Option<String>, depth: usize) -> Node {
    if depth > MAX_DEPTH {
        return node.clone();
    }
    let kind = match &node.kind {
        NodeKind::Scalar(s) => match replace(&s.value, value) {
            Some(v) => {
                let mut s = s.clone();
                s.value = v;
                NodeKind::Scalar(s)
            }
            None => return node.clone(),
        },
        NodeKind::Seq(items) => {
            NodeKind::Seq(items.iter().map(|n| walk(n, value, depth + 1)).collect())
        }
        NodeKind::Map(entries) => NodeKind::Map(
            entries
                .iter()
                .map(|(k, v)| (walk(k, value, depth + 1), walk(v, value, depth + 1)))
                .collect(),
        ),
    };
    Node {
        kind,
        ..node.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::replace;

    #[test]
    fn references_are_replaced_when_known() {
        let v = |n: &str| (n == "image").then(|| "alpine:3.20".to_owned());
        assert_eq!(
            replace("$[[ inputs.image ]]", &v).as_deref(),
            Some("alpine:3.20")
        );
        assert_eq!(
            replace("x-$[[inputs.image | expand_vars]]-y", &v).as_deref(),
            Some("x-alpine:3.20-y")
        );
        assert_eq!(replace("$[[ inputs.other ]]", &v), None);
        assert_eq!(replace("plain", &v), None);
        assert_eq!(replace("$[[ inputs.image", &v), None);
    }

    #[test]
    fn functions_after_a_bar_are_applied_in_order() {
        let v = |n: &str| match n {
            "sha" => Some("0123456789abcdef".to_owned()),
            "msg" => Some("a b;c".to_owned()),
            "empty" => Some(String::new()),
            _ => None,
        };
        assert_eq!(
            replace("$[[ inputs.sha | truncate(0,8) ]]", &v).as_deref(),
            Some("01234567")
        );
        assert_eq!(
            replace("$[[ inputs.sha | truncate(2, 6) | truncate(1,2) ]]", &v).as_deref(),
            Some("34")
        );
        assert_eq!(
            replace("$[[ inputs.sha | expand_vars | truncate(14,8) ]]", &v).as_deref(),
            Some("ef")
        );
        assert_eq!(
            replace("echo $[[ inputs.msg | posix_escape ]]", &v).as_deref(),
            Some("echo a\\ b\\;c")
        );
        assert_eq!(
            replace("$[[ inputs.empty | posix_escape ]]", &v).as_deref(),
            Some("''")
        );
        // GitLab rejects a function it does not define, or bad arguments: kept as written.
        assert_eq!(replace("$[[ inputs.sha | upcase ]]", &v), None);
        assert_eq!(replace("$[[ inputs.sha | truncate(x,2) ]]", &v), None);
        assert_eq!(replace("$[[ inputs.sha | truncate(1) ]]", &v), None);
    }
}
