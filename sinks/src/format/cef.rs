//! ArcSight Common Event Format lines:
//! `CEF:0|Castellan|Castellan|<version>|<event type>|<name>|<severity>|<extension>`.
//!
//! Header fields escape `\` and `|`; extension values escape `\`, `=` and line breaks (`\n`,
//! `\r`). Neither may carry a raw line break.

use castellan_core::Event;

const VENDOR: &str = "Castellan";
const PRODUCT: &str = "Castellan";

/// Escapes a header field.
pub fn escape_header(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes an extension value.
pub fn escape_extension(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '=' => out.push_str("\\="),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
    out
}

/// 0–10: failures and lockouts are high, removals medium, the rest low.
pub fn severity(event_type: &str) -> u8 {
    if event_type.contains("failed") || event_type.contains("locked") {
        7
    } else if event_type.contains("removed")
        || event_type.contains("deactivated")
        || event_type.contains("revoked")
        || event_type.contains("terminated")
    {
        5
    } else {
        3
    }
}

/// The CEF line of an event.
pub fn line(event: &Event) -> String {
    let name = event.event_type.replace('.', " ");
    let extensions: [(&str, String); 14] = [
        ("rt", (event.created_at.0.div_euclid(1000)).to_string()),
        ("externalId", event.position.0.to_string()),
        ("act", event.event_type.clone()),
        ("suser", event.creator.clone()),
        ("cs1Label", "instance".into()),
        ("cs1", event.instance_id.clone()),
        ("cs2Label", "aggregateType".into()),
        ("cs2", event.aggregate_type.clone()),
        ("cs3Label", "aggregateId".into()),
        ("cs3", event.aggregate_id.clone()),
        ("cs4Label", "resourceOwner".into()),
        ("cs4", event.resource_owner.clone()),
        ("cn1Label", "sequence".into()),
        ("cn1", event.sequence.to_string()),
    ];
    let mut extension: Vec<String> = extensions
        .iter()
        .map(|(key, value)| format!("{key}={}", escape_extension(value)))
        .collect();
    extension.push(format!(
        "cs5Label=payload cs5={}",
        escape_extension(&event.payload.to_string())
    ));
    format!(
        "CEF:0|{VENDOR}|{PRODUCT}|{}|{}|{}|{}|{}",
        escape_header(env!("CARGO_PKG_VERSION")),
        escape_header(&event.event_type),
        escape_header(&name),
        severity(&event.event_type),
        extension.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_escape_pipes_and_backslashes() {
        assert_eq!(escape_header(r"a|b\c"), r"a\|b\\c");
        assert_eq!(escape_header("a\nb"), "a b");
        assert_eq!(escape_header("x=y"), "x=y", "= is literal in headers");
    }

    #[test]
    fn extensions_escape_equals_backslashes_and_line_breaks() {
        assert_eq!(escape_extension(r"a=b\c"), r"a\=b\\c");
        assert_eq!(escape_extension("l1\r\nl2"), r"l1\r\nl2");
        assert_eq!(escape_extension("a|b"), "a|b", "| is literal in extensions");
    }

    #[test]
    fn a_line_has_seven_unescaped_pipes_and_no_line_break() {
        let event = crate::format::tests::event("user.human.added", r#"{"name":"a|b=c"}"#);
        let line = line(&event);
        assert!(line.starts_with(&format!(
            "CEF:0|Castellan|Castellan|{}|user.human.added|user human added|3|rt=1714000000123 externalId=77 ",
            env!("CARGO_PKG_VERSION")
        )));
        assert!(!line.contains('\n'));
        assert!(line.ends_with(r#"cs5={"name":"a|b\=c"}"#), "{line}");
        assert_eq!(severity("user.locked"), 7);
    }
}
