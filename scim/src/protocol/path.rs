//! Attribute paths: `[schemaURN ":"] attrName ["." subAttr]` (RFC 7644 §3.10).

use std::fmt;

/// An attribute path such as `userName`, `name.givenName` or
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`.
///
/// Names keep the client's spelling; every comparison is case-insensitive (RFC 7643 §2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    /// The schema URN prefix, when the path is fully qualified.
    pub urn: Option<String>,
    /// The attribute name.
    pub name: String,
    /// The sub-attribute name, for `name.givenName`.
    pub sub: Option<String>,
}

impl AttrPath {
    /// An unqualified path without sub-attribute.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            urn: None,
            name: name.into(),
            sub: None,
        }
    }

    /// This path with the given sub-attribute.
    pub fn with_sub(mut self, sub: impl Into<String>) -> Self {
        self.sub = Some(sub.into());
        self
    }

    /// This path qualified by a schema URN.
    pub fn with_urn(mut self, urn: impl Into<String>) -> Self {
        self.urn = Some(urn.into());
        self
    }

    /// Parses a path; the error is a human-readable reason (callers choose the `scimType`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (urn, rest) = split_urn(text)?;
        let mut parts = rest.split('.');
        let name = parts.next().unwrap_or_default();
        let sub = parts.next();
        if parts.next().is_some() {
            return Err(format!(
                "attribute path '{text}' has more than one sub-attribute"
            ));
        }
        if !is_attr_name(name) {
            return Err(format!(
                "'{name}' is not a valid attribute name in '{text}'"
            ));
        }
        if let Some(sub) = sub
            && !is_attr_name(sub)
        {
            return Err(format!(
                "'{sub}' is not a valid sub-attribute name in '{text}'"
            ));
        }
        Ok(Self {
            urn: urn.map(str::to_owned),
            name: name.to_owned(),
            sub: sub.map(str::to_owned),
        })
    }

    /// Whether the URN prefix (if any) is `urn`, compared case-insensitively.
    pub fn urn_is(&self, urn: &str) -> bool {
        self.urn
            .as_deref()
            .is_some_and(|own| own.eq_ignore_ascii_case(urn))
    }

    /// Whether this path names `name` (ignoring case), with no sub-attribute.
    pub fn is_simple(&self, name: &str) -> bool {
        self.sub.is_none() && self.name.eq_ignore_ascii_case(name)
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        f.write_str(&self.name)?;
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

/// Splits `urn:...:attr.sub` at its last colon; a path not starting with `urn:` has no URN.
fn split_urn(text: &str) -> Result<(Option<&str>, &str), String> {
    let is_urn = text
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("urn:"));
    if !is_urn {
        return Ok((None, text));
    }
    match text.rsplit_once(':') {
        Some((urn, rest)) if urn.len() > 4 && !rest.is_empty() => Ok((Some(urn), rest)),
        _ => Err(format!("'{text}' is a URN without an attribute name")),
    }
}

/// `ATTRNAME = ALPHA *(nameChar)`, also allowing the `$ref` sub-attribute.
pub fn is_attr_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = match chars.next() {
        Some('$') => name.len() > 1,
        Some(c) => c.is_ascii_alphabetic(),
        None => false,
    };
    first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_simple_sub_and_urn_paths() {
        assert_eq!(
            AttrPath::parse("userName").unwrap(),
            AttrPath::new("userName")
        );
        assert_eq!(
            AttrPath::parse("name.familyName").unwrap(),
            AttrPath::new("name").with_sub("familyName")
        );
        let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let path = AttrPath::parse(&format!("{enterprise}:manager.value")).unwrap();
        assert_eq!(
            path,
            AttrPath::new("manager")
                .with_sub("value")
                .with_urn(enterprise)
        );
        assert!(path.urn_is(&enterprise.to_uppercase()));
        assert_eq!(path.to_string(), format!("{enterprise}:manager.value"));
        assert_eq!(
            AttrPath::parse("members.$ref").unwrap().sub.as_deref(),
            Some("$ref")
        );
    }

    #[test]
    fn rejects_malformed_paths() {
        for bad in [
            "", "1abc", "a.b.c", "name.", ".x", "urn:", "urn:x:", "a b", "$", "na!me",
        ] {
            assert!(AttrPath::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
