//! The tables, their indexes and the schema version.
//!
//! Rows name their repository, workflow and job in text: a query reads without joins
//! through row ids, and shards merge without renumbering. Booleans are 0/1; a pin state
//! that does not apply (a registry as a whole) is NULL.

/// Raised whenever a table or column changes meaning; `merge` refuses other versions.
pub const SCHEMA_VERSION: i64 = 1;

/// The tables, in the order they are created, merged and compared.
pub const TABLES: &[&str] = &[
    "meta",
    "repositories",
    "workflows",
    "triggers",
    "jobs",
    "actions",
    "images",
    "sources",
    "packages",
    "dependencies",
    "hosts",
    "permissions",
    "secrets",
    "findings",
    "diagnostics",
];

pub const CREATE: &str = r"
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE repositories (
    repository TEXT PRIMARY KEY,   -- its directory under the scanned directory (group/name in a group)
    kind TEXT NOT NULL,            -- checkout | bare
    identity TEXT,                 -- owner/name from its git configuration, when known
    revision TEXT,                 -- the commit read (bare repositories: HEAD)
    files INTEGER NOT NULL,        -- inputs read
    error TEXT                     -- why it could not be read; NULL when it was
);
CREATE TABLE workflows (
    repository TEXT NOT NULL,
    path TEXT NOT NULL,
    name TEXT,
    PRIMARY KEY (repository, path)
);
CREATE TABLE triggers (
    repository TEXT NOT NULL,
    workflow TEXT NOT NULL,
    event TEXT NOT NULL,
    untrusted_privileged INTEGER NOT NULL,  -- anyone can fire it and it gets secrets
    PRIMARY KEY (repository, workflow, event)
);
CREATE TABLE jobs (
    repository TEXT NOT NULL,
    workflow TEXT NOT NULL,
    job TEXT NOT NULL,
    name TEXT,
    runner TEXT NOT NULL,
    self_hosted INTEGER NOT NULL,
    environment TEXT,
    writes INTEGER NOT NULL,         -- a write scope or the repository default token
    default_token INTEGER NOT NULL,  -- no permissions block applies
    oidc INTEGER NOT NULL,           -- can request an OIDC token (id-token: write)
    timeout_minutes TEXT,
    PRIMARY KEY (repository, workflow, job)
);
CREATE TABLE actions (
    repository TEXT NOT NULL,
    workflow TEXT NOT NULL,
    job TEXT NOT NULL,
    kind TEXT NOT NULL,      -- action | reusable-workflow
    action TEXT NOT NULL,    -- owner/repo[/path]
    ref TEXT NOT NULL,       -- what follows the @
    pinned INTEGER,          -- 1 commit SHA or locked, 0 tag or branch
    how TEXT NOT NULL,
    path TEXT,               -- where the job takes it on
    line INTEGER
);
CREATE TABLE images (
    repository TEXT NOT NULL,
    workflow TEXT NOT NULL,
    job TEXT NOT NULL,
    image TEXT NOT NULL,
    pinned INTEGER,          -- 1 by digest, 0 by tag
    how TEXT NOT NULL,
    path TEXT,
    line INTEGER
);
CREATE TABLE sources (
    repository TEXT NOT NULL,
    workflow TEXT NOT NULL,
    job TEXT NOT NULL,
    ecosystem TEXT,
    source TEXT NOT NULL,    -- as the inventory names it: `pypi https://pypi.org/simple`
    pinned INTEGER,
    how TEXT NOT NULL,
    note TEXT
);
CREATE TABLE packages (
    repository TEXT NOT NULL,
    lockfile TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT,
    source TEXT              -- `registry https://…`, `git https://…`; NULL when unknown
);
CREATE TABLE dependencies (
    repository TEXT NOT NULL,
    workflow TEXT NOT NULL,
    job TEXT NOT NULL,
    kind TEXT NOT NULL,      -- action, reusable-workflow, toolchain, package-source, image, download, cache
    name TEXT NOT NULL,
    ecosystem TEXT,
    external INTEGER NOT NULL,
    pinned INTEGER,
    how TEXT NOT NULL,
    fallbacks TEXT NOT NULL  -- comma-separated: cache, mirror, vendored, retry
);
CREATE TABLE hosts (
    repository TEXT NOT NULL,
    workflow TEXT NOT NULL,
    job TEXT NOT NULL,
    host TEXT NOT NULL,
    allowed INTEGER          -- by `[policy.egress] allow`; NULL when no allow-list applies
);
CREATE TABLE permissions (
    repository TEXT NOT NULL,
    workflow TEXT NOT NULL,
    job TEXT NOT NULL,
    scope TEXT NOT NULL,     -- contents, id-token, …; `*` for the repository default
    access TEXT NOT NULL     -- read | write | default
);
CREATE TABLE secrets (
    repository TEXT NOT NULL,
    workflow TEXT NOT NULL,
    job TEXT NOT NULL,
    secret TEXT NOT NULL     -- `*` for `secrets: inherit` or the whole context
);
CREATE TABLE findings (
    repository TEXT NOT NULL,
    rule TEXT NOT NULL,
    level TEXT NOT NULL,
    severity TEXT NOT NULL,
    confidence TEXT NOT NULL,
    path TEXT NOT NULL,
    line INTEGER NOT NULL,
    column INTEGER NOT NULL,
    job TEXT,
    message TEXT NOT NULL,
    fingerprint TEXT NOT NULL
);
CREATE TABLE diagnostics (
    repository TEXT NOT NULL,
    severity TEXT NOT NULL,
    code TEXT NOT NULL,
    path TEXT NOT NULL,
    line INTEGER,
    message TEXT NOT NULL
);
CREATE INDEX actions_action ON actions (action, ref);
CREATE INDEX actions_job ON actions (repository, workflow, job);
CREATE INDEX images_image ON images (image);
CREATE INDEX images_job ON images (repository, workflow, job);
CREATE INDEX sources_source ON sources (source);
CREATE INDEX packages_name ON packages (ecosystem, name);
CREATE INDEX packages_repository ON packages (repository);
CREATE INDEX dependencies_name ON dependencies (kind, name);
CREATE INDEX hosts_host ON hosts (host);
CREATE INDEX hosts_job ON hosts (repository, workflow, job);
CREATE INDEX permissions_scope ON permissions (scope, access);
CREATE INDEX permissions_job ON permissions (repository, workflow, job);
CREATE INDEX secrets_secret ON secrets (secret);
CREATE INDEX findings_rule ON findings (rule);
CREATE INDEX findings_repository ON findings (repository);
";
