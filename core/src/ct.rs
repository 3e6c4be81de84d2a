//! Constant-time comparison of secrets and their hashes.

use subtle::ConstantTimeEq;

/// Compares two strings in time that depends only on their lengths.
pub fn ct_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}
