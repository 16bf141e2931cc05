//! Writing a database: created under a temporary name next to its destination, one
//! transaction per repository, renamed into place by [`Writer::finish`] so that an
//! interrupted run never leaves a half-written database under the name asked for.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};
use tollgate_inventory::DependencyKind;

use crate::DbError;
use crate::facts::{Dep, Facts, Job};
use crate::schema::{CREATE, SCHEMA_VERSION};

/// An open database being written.
#[derive(Debug)]
pub struct Writer {
    conn: Connection,
    tmp: PathBuf,
    path: PathBuf,
}

pub(crate) fn sqlite(path: &Path) -> impl Fn(rusqlite::Error) -> DbError + '_ {
    move |source| DbError::Sqlite {
        path: path.display().to_string(),
        source,
    }
}

/// A count or line as SQLite's integer.
fn n(x: usize) -> i64 {
    i64::try_from(x).unwrap_or(i64::MAX)
}

/// `owner/repo[/path]@ref` split at its last `@`.
fn split_ref(reference: &str) -> (&str, &str) {
    reference.rsplit_once('@').unwrap_or((reference, ""))
}

impl Writer {
    /// Create a new, empty database for `path` (replacing it at [`Writer::finish`]).
    ///
    /// # Errors
    /// When the file cannot be created.
    pub fn create(path: &Path) -> Result<Self, DbError> {
        let name = path
            .file_name()
            .map_or_else(|| "org.sqlite".into(), |n| n.to_string_lossy().into_owned());
        let tmp = path.with_file_name(format!(".{name}.partial"));
        match std::fs::remove_file(&tmp) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(DbError::Io {
                    path: tmp.display().to_string(),
                    source: e,
                });
            }
            _ => {}
        }
        let conn = Self::init(&tmp)?;
        Ok(Self {
            conn,
            tmp,
            path: path.to_path_buf(),
        })
    }

    fn init(tmp: &Path) -> Result<Connection, DbError> {
        let err = sqlite(tmp);
        let conn = Connection::open(tmp).map_err(&err)?;
        // A fresh file that is renamed into place only when complete: a crash loses the
        // run either way, so the journal and fsyncs buy nothing.
        conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
            .map_err(&err)?;
        conn.execute_batch(CREATE).map_err(&err)?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(&err)?;
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('schema_version', ?1), ('tool', 'tollgate')",
            params![SCHEMA_VERSION.to_string()],
        )
        .map_err(&err)?;
        Ok(conn)
    }

    /// Write one repository, in one transaction.
    ///
    /// # Errors
    /// A write that fails, or a repository of this name written before.
    pub fn insert(&mut self, f: &Facts) -> Result<(), DbError> {
        let err = sqlite(&self.tmp);
        let tx = self.conn.transaction().map_err(&err)?;
        insert(&tx, f).map_err(|e| match e {
            rusqlite::Error::SqliteFailure(x, _)
                if x.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                DbError::Duplicate {
                    repository: f.repository.name.clone(),
                    path: self.path.display().to_string(),
                }
            }
            e => err(e),
        })?;
        tx.commit().map_err(&err)
    }

    /// Close the database and move it to its name.
    ///
    /// # Errors
    /// When closing or renaming fails.
    pub fn finish(self) -> Result<PathBuf, DbError> {
        let Self { conn, tmp, path } = self;
        conn.close().map_err(|(_, e)| sqlite(&tmp)(e))?;
        std::fs::rename(&tmp, &path).map_err(|source| DbError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Ok(path)
    }

    /// The connection, for [`crate::merge`].
    pub(crate) fn conn(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub(crate) fn tmp(&self) -> &Path {
        &self.tmp
    }
}

fn insert(tx: &rusqlite::Transaction<'_>, f: &Facts) -> rusqlite::Result<()> {
    let r = &f.repository;
    let repo = r.name.as_str();
    tx.execute(
        "INSERT INTO repositories (repository, kind, identity, revision, files, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![repo, r.kind, r.identity, r.revision, n(r.files), r.error],
    )?;
    {
        let mut st = tx.prepare_cached(
            "INSERT OR IGNORE INTO workflows (repository, path, name) VALUES (?1, ?2, ?3)",
        )?;
        for (path, name) in &f.workflows {
            st.execute(params![repo, path, name])?;
        }
        let mut st = tx.prepare_cached(
            "INSERT OR IGNORE INTO triggers (repository, workflow, event, untrusted_privileged) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (w, event, privileged) in &f.triggers {
            st.execute(params![repo, w, event, privileged])?;
        }
    }
    for job in &f.jobs {
        insert_job(tx, repo, job)?;
    }
    let mut st = tx.prepare_cached(
        "INSERT INTO packages (repository, lockfile, ecosystem, name, version, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for p in &f.packages {
        st.execute(params![
            repo,
            p.lockfile,
            p.ecosystem,
            p.name,
            p.version,
            p.source
        ])?;
    }
    let mut st = tx.prepare_cached(
        "INSERT INTO findings (repository, rule, level, severity, confidence, path, line, column, job, message, fingerprint) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for x in &f.findings {
        st.execute(params![
            repo,
            x.rule,
            x.level,
            x.severity,
            x.confidence,
            x.path,
            x.line,
            x.column,
            x.job,
            x.message,
            x.fingerprint
        ])?;
    }
    let mut st = tx.prepare_cached(
        "INSERT INTO diagnostics (repository, severity, code, path, line, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for d in &f.diagnostics {
        st.execute(params![repo, d.severity, d.code, d.path, d.line, d.message])?;
    }
    Ok(())
}

fn insert_job(tx: &rusqlite::Transaction<'_>, repo: &str, j: &Job) -> rusqlite::Result<()> {
    let (w, id) = (j.key.workflow.as_str(), j.key.job.as_str());
    // A second job of one id in one workflow is a parse error the graph reported; the
    // first stands, as in `diff`.
    let added = tx.execute(
        "INSERT OR IGNORE INTO jobs (repository, workflow, job, name, runner, self_hosted, environment, writes, default_token, oidc, timeout_minutes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            repo,
            w,
            id,
            j.name,
            j.runner,
            j.self_hosted,
            j.environment,
            j.writes,
            j.default_token,
            j.oidc,
            j.timeout_minutes
        ],
    )?;
    if added == 0 {
        return Ok(());
    }
    let mut st = tx.prepare_cached(
        "INSERT INTO permissions (repository, workflow, job, scope, access) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (scope, access) in &j.permissions {
        st.execute(params![repo, w, id, scope, access])?;
    }
    let mut st = tx.prepare_cached(
        "INSERT INTO secrets (repository, workflow, job, secret) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for s in &j.secrets {
        st.execute(params![repo, w, id, s])?;
    }
    let mut st = tx.prepare_cached(
        "INSERT INTO hosts (repository, workflow, job, host, allowed) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (h, allowed) in &j.hosts {
        st.execute(params![repo, w, id, h, allowed])?;
    }
    for d in &j.dependencies {
        insert_dep(tx, repo, w, id, d)?;
    }
    Ok(())
}

fn insert_dep(
    tx: &rusqlite::Transaction<'_>,
    repo: &str,
    w: &str,
    id: &str,
    d: &Dep,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO dependencies (repository, workflow, job, kind, name, ecosystem, external, pinned, how, fallbacks) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        repo,
        w,
        id,
        d.kind.as_str(),
        d.name,
        d.ecosystem,
        d.external,
        d.pinned,
        d.how,
        d.fallbacks
    ])?;
    match d.kind {
        DependencyKind::Action | DependencyKind::ReusableWorkflow => {
            let (action, r) = split_ref(&d.name);
            tx.prepare_cached(
                "INSERT INTO actions (repository, workflow, job, kind, action, ref, pinned, how, path, line) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                repo,
                w,
                id,
                d.kind.as_str(),
                action,
                r,
                d.pinned,
                d.how,
                d.path,
                d.line
            ])?;
        }
        DependencyKind::Image => {
            tx.prepare_cached(
                "INSERT INTO images (repository, workflow, job, image, pinned, how, path, line) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![repo, w, id, d.name, d.pinned, d.how, d.path, d.line])?;
        }
        DependencyKind::PackageSource => {
            tx.prepare_cached(
                "INSERT INTO sources (repository, workflow, job, ecosystem, source, pinned, how, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![repo, w, id, d.ecosystem, d.name, d.pinned, d.how, d.note])?;
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_at_the_last_at() {
        assert_eq!(
            split_ref("tj-actions/changed-files@v45"),
            ("tj-actions/changed-files", "v45")
        );
        assert_eq!(
            split_ref("octo/repo/.github/workflows/x.yml@main"),
            ("octo/repo/.github/workflows/x.yml", "main")
        );
        assert_eq!(split_ref("no-ref"), ("no-ref", ""));
    }
}
