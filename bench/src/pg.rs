//! Throwaway PostgreSQL databases on the server the user named.

use sqlx::{Connection, PgConnection, Row};

use crate::Result;

/// A database created for one measurement; [`FreshDatabase::drop_now`] removes it.
pub struct FreshDatabase {
    admin_url: String,
    pub name: String,
    /// A URL for the new database (the admin URL with its database name replaced).
    pub url: String,
}

impl FreshDatabase {
    /// Creates `castellan_bench_<random>` on the server of `admin_url`.
    pub async fn create(admin_url: &str) -> Result<Self> {
        let name = format!("castellan_bench_{}", rand::random::<u32>());
        let url = database_url(admin_url, &name)?;
        let mut admin = PgConnection::connect(admin_url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        Ok(Self {
            admin_url: admin_url.to_owned(),
            name,
            url,
        })
    }

    /// Drops the database (terminating leftover sessions).
    pub async fn drop_now(self) -> Result<()> {
        let mut admin = PgConnection::connect(&self.admin_url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .execute(&mut admin)
        .await?;
        admin.close().await?;
        Ok(())
    }
}

/// Version and durability settings of the server, for the report.
pub async fn server_settings(admin_url: &str) -> Result<String> {
    let mut admin = PgConnection::connect(admin_url).await?;
    let mut parts = Vec::new();
    for setting in [
        "server_version",
        "fsync",
        "synchronous_commit",
        "shared_buffers",
    ] {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SHOW {setting}")))
            .fetch_one(&mut admin)
            .await?;
        let value: String = row.try_get(0)?;
        parts.push(format!("{setting}={value}"));
    }
    admin.close().await?;
    Ok(parts.join(", "))
}

/// `postgres://u:p@h:port/db?x=y` with `db` replaced by `name` (query kept).
fn database_url(admin_url: &str, name: &str) -> Result<String> {
    let (without_query, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (admin_url, None),
    };
    let authority_start = without_query
        .find("://")
        .map(|index| index + 3)
        .ok_or_else(|| format!("not a URL: {admin_url}"))?;
    let rest = without_query.get(authority_start..).unwrap_or_default();
    let base = match rest.find('/') {
        Some(slash) => without_query
            .get(..authority_start + slash)
            .unwrap_or(without_query),
        None => without_query,
    };
    Ok(match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    })
}

#[cfg(test)]
mod tests {
    use super::database_url;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            database_url("postgres://u:p@127.0.0.1:55432/postgres", "x").unwrap(),
            "postgres://u:p@127.0.0.1:55432/x"
        );
        assert_eq!(
            database_url("postgres://u:p@h:1/db?sslmode=disable", "x").unwrap(),
            "postgres://u:p@h:1/x?sslmode=disable"
        );
        assert_eq!(
            database_url("postgres://u:p@h:1", "x").unwrap(),
            "postgres://u:p@h:1/x"
        );
    }
}
