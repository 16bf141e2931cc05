//! `tollgate merge`: shard databases into one, and the contents comparison that shows a
//! merge equals one unsharded run.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{Connection, OpenFlags, types::Value};

use crate::DbError;
use crate::schema::{SCHEMA_VERSION, TABLES};
use crate::write::{Writer, sqlite};

/// The schema version of an open database.
fn version(conn: &Connection, path: &Path) -> Result<i64, DbError> {
    let v: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .ok();
    let v = v.ok_or_else(|| DbError::NotOurs {
        path: path.display().to_string(),
    })?;
    v.parse().map_err(|_| DbError::NotOurs {
        path: path.display().to_string(),
    })
}

fn open_read_only(path: &Path) -> Result<Connection, DbError> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(sqlite(path))?;
    let found = version(&conn, path)?;
    if found != SCHEMA_VERSION {
        return Err(DbError::Version {
            path: path.display().to_string(),
            found,
            expected: SCHEMA_VERSION,
        });
    }
    Ok(conn)
}

/// Write the union of `inputs` to `out`. A repository may be in one input only.
///
/// # Errors
/// An input that is not a database of this schema version, a repository in two inputs,
/// or a failed write.
pub fn merge(inputs: &[&Path], out: &Path) -> Result<usize, DbError> {
    for p in inputs {
        drop(open_read_only(p)?);
    }
    let mut w = Writer::create(out)?;
    let tmp = w.tmp().to_path_buf();
    let err = sqlite(&tmp);
    let mut repositories = 0usize;
    for p in inputs {
        let conn = w.conn();
        conn.execute("ATTACH DATABASE ?1 AS src", [p.to_string_lossy()])
            .map_err(&err)?;
        let tx = conn.transaction().map_err(&err)?;
        let dup: Option<String> = tx
            .query_row(
                "SELECT repository FROM src.repositories WHERE repository IN (SELECT repository FROM main.repositories) ORDER BY repository LIMIT 1",
                [],
                |r| r.get(0),
            )
            .ok();
        if let Some(repository) = dup {
            return Err(DbError::Duplicate {
                repository,
                path: p.display().to_string(),
            });
        }
        for t in TABLES.iter().filter(|t| **t != "meta") {
            repositories += tx
                .execute(&format!("INSERT INTO main.{t} SELECT * FROM src.{t}"), [])
                .map_err(&err)?
                * usize::from(*t == "repositories");
        }
        tx.commit().map_err(&err)?;
        w.conn().execute("DETACH DATABASE src", []).map_err(&err)?;
    }
    w.finish()?;
    Ok(repositories)
}

/// Every table's rows, sorted: two databases with equal contents compare equal however
/// their rows were inserted.
///
/// # Errors
/// When the database cannot be read.
pub fn contents(path: &Path) -> Result<BTreeMap<String, Vec<Vec<Value>>>, DbError> {
    let conn = open_read_only(path)?;
    let err = sqlite(path);
    let mut out = BTreeMap::new();
    for t in TABLES {
        let mut st = conn.prepare(&format!("SELECT * FROM {t}")).map_err(&err)?;
        let n = st.column_count();
        let mut rows: Vec<Vec<Value>> = st
            .query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect())
            .map_err(&err)?
            .collect::<Result<_, _>>()
            .map_err(&err)?;
        rows.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        out.insert((*t).to_owned(), rows);
    }
    Ok(out)
}
