//! PEP 508 dependency specifiers (`name[extras] (specifiers) ; markers` and
//! `name[extras] @ url ; markers`): the one reader of requirement lines and of the
//! package arguments of `pip install`, so a lockfile and a script agree on a name and
//! its version. <https://peps.python.org/pep-0508/>

/// The parts of one specifier, as written (borrowed from the input).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement<'a> {
    pub name: &'a str,
    pub extras: Vec<&'a str>,
    /// The URL of a direct reference (`name @ url`).
    pub url: Option<&'a str>,
    /// The version specifiers without their parentheses (`>=1,<2`, `== 1.0`); empty when
    /// there are none.
    pub specifier: &'a str,
    pub markers: Option<&'a str>,
}

impl Requirement<'_> {
    /// The one version the specifier allows: `==X` without a wildcard, or `===X`.
    #[must_use]
    pub fn exact_version(&self) -> Option<&str> {
        let s = self.specifier.trim();
        s.strip_prefix("===")
            .or_else(|| s.strip_prefix("=="))
            .map(str::trim)
            .filter(|v| !v.is_empty() && !v.contains([',', '*', ' ']))
    }
}

/// The comparison operators of PEP 440 a version clause starts with.
const OPERATORS: [char; 5] = ['=', '<', '>', '!', '~'];

/// Characters of a distribution name: letters, digits, `-`, `_`, `.`.
#[must_use]
pub fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// Read one specifier. `None` when it is not one: no name at its start, an unclosed
/// extras list, or something other than a version clause, a URL or markers after the
/// name.
#[must_use]
pub fn parse(spec: &str) -> Option<Requirement<'_>> {
    let s = spec.trim();
    let name_end = s.find(|c: char| !is_name_char(c)).unwrap_or(s.len());
    if name_end == 0 {
        return None;
    }
    let name = &s[..name_end];
    let mut rest = s[name_end..].trim_start();
    let mut extras = Vec::new();
    if let Some(r) = rest.strip_prefix('[') {
        let close = r.find(']')?;
        extras = r[..close]
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        rest = r[close + 1..].trim_start();
    }
    if let Some(r) = rest.strip_prefix('@') {
        // In a URL requirement a marker must follow white space: `;` is legal in URLs.
        let r = r.trim_start();
        let (url, markers) = match r.find([' ', '\t']) {
            Some(i) => {
                let after = r[i..].trim_start();
                match after.strip_prefix(';') {
                    Some(m) => (&r[..i], Some(m.trim())),
                    None if after.is_empty() => (&r[..i], None),
                    None => return None,
                }
            }
            None => (r, None),
        };
        if url.is_empty() {
            return None;
        }
        return Some(Requirement {
            name,
            extras,
            url: Some(url),
            specifier: "",
            markers,
        });
    }
    let (spec_part, markers) = match rest.split_once(';') {
        Some((v, m)) => (v.trim(), Some(m.trim())),
        None => (rest.trim(), None),
    };
    let specifier = match spec_part.strip_prefix('(') {
        Some(r) => r.strip_suffix(')')?.trim(),
        None => spec_part,
    };
    if !specifier.is_empty() && !specifier.starts_with(OPERATORS) {
        return None;
    }
    Some(Requirement {
        name,
        extras,
        url: None,
        specifier,
        markers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specifiers() {
        // (input, name, extras, url, specifier, markers, exact)
        type Row<'a> = (
            &'a str,
            &'a str,
            &'a [&'a str],
            Option<&'a str>,
            &'a str,
            Option<&'a str>,
            Option<&'a str>,
        );
        let rows: &[Row<'_>] = &[
            ("requests", "requests", &[], None, "", None, None),
            (
                "Requests[socks]==2.31.0",
                "Requests",
                &["socks"],
                None,
                "==2.31.0",
                None,
                Some("2.31.0"),
            ),
            (
                "black == 24.1.0",
                "black",
                &[],
                None,
                "== 24.1.0",
                None,
                Some("24.1.0"),
            ),
            (
                "pkg[a, b] (>=1,<2)",
                "pkg",
                &["a", "b"],
                None,
                ">=1,<2",
                None,
                None,
            ),
            ("pkg (==1.0)", "pkg", &[], None, "==1.0", None, Some("1.0")),
            (
                "x===1.0-weird",
                "x",
                &[],
                None,
                "===1.0-weird",
                None,
                Some("1.0-weird"),
            ),
            ("x==1.*", "x", &[], None, "==1.*", None, None),
            ("x>=1,==1.2", "x", &[], None, ">=1,==1.2", None, None),
            (
                "flask>=2 ; python_version < \"3.11\"",
                "flask",
                &[],
                None,
                ">=2",
                Some("python_version < \"3.11\""),
                None,
            ),
            (
                "pkg @ https://e.com/p.whl#sha256=ab ; sys_platform == 'linux'",
                "pkg",
                &[],
                Some("https://e.com/p.whl#sha256=ab"),
                "",
                Some("sys_platform == 'linux'"),
                None,
            ),
            (
                "pkg@https://e.com/a;b.whl",
                "pkg",
                &[],
                Some("https://e.com/a;b.whl"),
                "",
                None,
                None,
            ),
            (
                "pkg[x] @ git+https://g.com/o/r@v1",
                "pkg",
                &["x"],
                Some("git+https://g.com/o/r@v1"),
                "",
                None,
                None,
            ),
            (
                "zope.interface~=5.0",
                "zope.interface",
                &[],
                None,
                "~=5.0",
                None,
                None,
            ),
        ];
        for &(input, name, extras, url, specifier, markers, exact) in rows {
            let r = parse(input).unwrap_or_else(|| panic!("{input}"));
            assert_eq!(r.name, name, "{input}");
            assert_eq!(r.extras, extras, "{input}");
            assert_eq!(r.url, url, "{input}");
            assert_eq!(r.specifier, specifier, "{input}");
            assert_eq!(r.markers, markers, "{input}");
            assert_eq!(r.exact_version(), exact, "{input}");
        }
    }

    #[test]
    fn hostile_specifiers_stay_linear() {
        let big = "a".repeat(1 << 20);
        for text in [
            format!("{big}[{big}"),
            format!("x @ {big} {big}"),
            format!("x (=={big}"),
            format!("x{}", ";".repeat(1 << 20)),
        ] {
            let t0 = std::time::Instant::now();
            let _ = parse(&text);
            assert!(t0.elapsed().as_secs() < 20, "{}", &text[..20]);
        }
    }

    #[test]
    fn not_specifiers() {
        for input in [
            "",
            "$PKG==1",
            "-r other.txt",
            "pkg[unclosed",
            "pkg 1.0",
            "pkg (>=1",
            "pkg @ ",
            "pkg @ https://e.com/x junk",
        ] {
            assert_eq!(parse(input), None, "{input}");
        }
    }
}
