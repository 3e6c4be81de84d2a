//! RFC 5424 syslog messages carrying a CEF line, framed for TCP by octet counting (RFC 6587
//! §3.4.1: `<byte length> <message>`).
//!
//! `<110>1 <time> <host> castellan - <msgid> [castellan@32473 position="…" instance="…"] CEF:…`
//! — facility 13 (log audit), severity 6 (informational); MSGID is the event type (at most 32
//! printable ASCII characters); the structured data carries the ledger position (receivers
//! dedupe by it) under the documentation enterprise number 32473 (RFC 5612).

use castellan_core::Event;

use super::cef;
use super::time::rfc3339;

/// Facility 13 (log audit) × 8 + severity 6 (informational).
const PRI: u8 = 110;
const APP_NAME: &str = "castellan";
const SD_ID: &str = "castellan@32473";

/// A header field: printable US-ASCII without spaces, at most `max` characters; `-` when empty.
fn header_field(value: &str, max: usize) -> String {
    let cleaned: String = value
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(max)
        .collect();
    if cleaned.is_empty() {
        "-".to_owned()
    } else {
        cleaned
    }
}

/// Escapes a structured-data parameter value (`"`, `\` and `]`).
pub fn escape_param(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '"' | '\\' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The RFC 5424 message of an event, sent from `host`.
pub fn message(event: &Event, host: &str) -> String {
    format!(
        "<{PRI}>1 {} {} {APP_NAME} - {} [{SD_ID} position=\"{}\" instance=\"{}\"] {}",
        rfc3339(event.created_at),
        header_field(host, 255),
        header_field(&event.event_type, 32),
        event.position.0,
        escape_param(&event.instance_id),
        cef::line(event)
    )
}

/// Octet-counting frame of one message.
pub fn frame(message: &str) -> Vec<u8> {
    let mut framed = format!("{} ", message.len()).into_bytes();
    framed.extend_from_slice(message.as_bytes());
    framed
}

/// Splits octet-counted frames off the front of `buffer` (a receiver's side, for tests and
/// tools); returns the complete messages and leaves a partial frame in `buffer`. `None` when the
/// stream is not octet-counted.
pub fn deframe(buffer: &mut Vec<u8>) -> Option<Vec<String>> {
    let mut messages = Vec::new();
    loop {
        let Some(space) = buffer.iter().position(|b| *b == b' ') else {
            return Some(messages);
        };
        let length: usize = std::str::from_utf8(buffer.get(..space)?)
            .ok()?
            .parse()
            .ok()?;
        let end = space + 1 + length;
        if buffer.len() < end {
            return Some(messages);
        }
        let body = buffer.get(space + 1..end)?;
        messages.push(String::from_utf8_lossy(body).into_owned());
        buffer.drain(..end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::tests::event;

    #[test]
    fn a_message_has_the_rfc5424_header_and_the_cef_line() {
        let message = message(&event("user.human.added", "{}"), "login.example.com");
        assert!(
            message.starts_with(
                "<110>1 2024-04-24T23:06:40.123456Z login.example.com castellan - user.human.added [castellan@32473 position=\"77\" instance=\"inst\"] CEF:0|Castellan|"
            ),
            "{message}"
        );
    }

    #[test]
    fn frames_count_bytes_not_characters_and_deframe_back() {
        let framed = frame("héllo");
        assert_eq!(framed, "6 héllo".as_bytes());
        let mut stream = framed.clone();
        stream.extend(frame("second"));
        stream.extend_from_slice(b"12 partia");
        let messages = deframe(&mut stream).unwrap();
        assert_eq!(messages, ["héllo", "second"]);
        assert_eq!(stream, b"12 partia");
        assert!(deframe(&mut b"x y".to_vec()).is_none());
    }

    #[test]
    fn structured_data_values_escape_quotes_backslashes_and_brackets() {
        assert_eq!(escape_param(r#"a"b\c]d"#), r#"a\"b\\c\]d"#);
        assert_eq!(header_field("", 5), "-");
        assert_eq!(header_field("a b c", 2), "ab");
    }
}
