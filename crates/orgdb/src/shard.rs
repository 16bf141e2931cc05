//! `--shard i/n`: which shard a repository belongs to.
//!
//! The shard is the 64-bit FNV-1a hash of the repository's name (its directory name
//! under the scanned directory, as UTF-8 bytes) modulo `n`, plus one. It depends on the
//! name alone: not on the order of the directory listing, the machine or the number of
//! other repositories, so every machine of a CI matrix computes the same split, and a
//! repository added later does not move the others.

/// The shard (1-based) of a repository name among `n`.
#[must_use]
pub fn of(name: &str, n: u32) -> u32 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    for b in name.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(PRIME);
    }
    u32::try_from(h % u64::from(n.max(1))).unwrap_or(0) + 1
}

/// `i/n` with 1 ≤ i ≤ n.
///
/// # Errors
/// A message for anything else.
pub fn parse(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("`--shard {s}`: expected I/N with 1 <= I <= N, as in `--shard 2/8`");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let i: u32 = i.trim().parse().map_err(|_| bad())?;
    let n: u32 = n.trim().parse().map_err(|_| bad())?;
    if n == 0 || i == 0 || i > n {
        return Err(bad());
    }
    Ok((i, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_split_is_stable_and_covers_every_shard() {
        // Fixed values: a change of hash would re-shard every organisation's matrix.
        assert_eq!(of("", 7), (0xcbf2_9ce4_8422_2325_u64 % 7) as u32 + 1);
        assert_eq!(of("widget", 1), 1);
        let names: Vec<String> = (0..200).map(|i| format!("repo-{i}")).collect();
        let mut seen = [0usize; 4];
        for n in &names {
            let s = of(n, 4);
            assert!((1..=4).contains(&s));
            assert_eq!(s, of(n, 4), "same name, same shard");
            seen[(s - 1) as usize] += 1;
        }
        assert!(seen.iter().all(|c| *c > 20), "{seen:?}");
    }

    #[test]
    fn shard_arguments() {
        assert_eq!(parse("1/1"), Ok((1, 1)));
        assert_eq!(parse("3/8"), Ok((3, 8)));
        for bad in ["0/2", "3/2", "1/0", "1", "a/b", "-1/2", ""] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
