//! The CQL schema file and keyspace names.

use crate::store::ReadError;

/// Validates a keyspace name (letters, digits, `_`; at most 48, as Cassandra requires) and quotes
/// it, so its case is kept.
pub(super) fn quote_keyspace(name: &str) -> Result<String, ReadError> {
    let valid = !name.is_empty()
        && name.len() <= 48
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(format!("\"{name}\""))
    } else {
        Err(ReadError::Backend(format!(
            "invalid keyspace name {name:?}: use 1 to 48 ASCII letters, digits or underscores"
        )))
    }
}

/// The statements of a schema file: comment lines dropped, split at semicolons outside string
/// literals.
pub(super) fn schema_statements(schema: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut in_string = false;
    for line in schema.lines() {
        if !in_string && line.trim_start().starts_with("--") {
            continue;
        }
        for c in line.chars() {
            match c {
                ';' if !in_string => statements.push(std::mem::take(&mut current)),
                '\'' => {
                    // A doubled quote inside a literal toggles twice: still inside.
                    in_string = !in_string;
                    current.push(c);
                }
                _ => current.push(c),
            }
        }
        current.push('\n');
    }
    statements.push(current);
    statements
        .iter()
        .map(|statement| statement.trim())
        .filter(|statement| !statement.is_empty())
        .map(str::to_owned)
        .collect()
}
