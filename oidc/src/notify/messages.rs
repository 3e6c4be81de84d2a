//! The texts of the mails the notifier sends, in English and German.

use castellan_core::user::CodePurpose;

use crate::login::page::escape;

/// A rendered message: subject, plain text and HTML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

struct Wording {
    subject: &'static str,
    greeting: &'static str,
    body: &'static str,
    code_is: &'static str,
    link: &'static str,
    ignore: &'static str,
}

fn wording(purpose: CodePurpose, german: bool) -> Option<Wording> {
    Some(match (purpose, german) {
        (CodePurpose::PasswordReset, false) => Wording {
            subject: "Reset your password",
            greeting: "Hello",
            body: "Someone asked to reset the password of your account.",
            code_is: "Your code is",
            link: "Or open this link to choose a new password:",
            ignore: "If this was not you, ignore this message; your password stays as it is.",
        },
        (CodePurpose::PasswordReset, true) => Wording {
            subject: "Passwort zurücksetzen",
            greeting: "Hallo",
            body: "Jemand möchte das Passwort Ihres Kontos zurücksetzen.",
            code_is: "Ihr Code lautet",
            link: "Oder öffnen Sie diesen Link, um ein neues Passwort zu wählen:",
            ignore: "Falls Sie das nicht waren, ignorieren Sie diese Nachricht; Ihr Passwort bleibt unverändert.",
        },
        (CodePurpose::Email, false) => Wording {
            subject: "Verify your email address",
            greeting: "Hello",
            body: "Please confirm that this email address belongs to you.",
            code_is: "Your code is",
            link: "Or open this link to verify it:",
            ignore: "If you did not create an account, ignore this message.",
        },
        (CodePurpose::Email, true) => Wording {
            subject: "E-Mail-Adresse bestätigen",
            greeting: "Hallo",
            body: "Bitte bestätigen Sie, dass diese E-Mail-Adresse Ihnen gehört.",
            code_is: "Ihr Code lautet",
            link: "Oder öffnen Sie diesen Link, um sie zu bestätigen:",
            ignore: "Falls Sie kein Konto angelegt haben, ignorieren Sie diese Nachricht.",
        },
        (CodePurpose::Phone | CodePurpose::Invite, _) => return None,
    })
}

/// The message for a code; `None` for purposes that are not mailed (phone codes go by SMS,
/// which Castellan does not send; invitations have no hosted page yet).
pub fn render(
    purpose: CodePurpose,
    language: &str,
    name: &str,
    code: &str,
    link: &str,
) -> Option<Rendered> {
    let german = language.trim().to_ascii_lowercase().starts_with("de");
    let w = wording(purpose, german)?;
    let text = format!(
        "{greeting} {name},\n\n{body}\n\n{code_is}: {code}\n\n{link_label}\n{link}\n\n{ignore}\n",
        greeting = w.greeting,
        body = w.body,
        code_is = w.code_is,
        link_label = w.link,
        ignore = w.ignore,
    );
    let html = format!(
        "<!doctype html><html><body><p>{greeting} {name},</p><p>{body}</p>\
         <p>{code_is}: <strong>{code}</strong></p><p>{link_label}<br>\
         <a href=\"{href}\">{href}</a></p><p>{ignore}</p></body></html>",
        greeting = w.greeting,
        name = escape(name),
        body = w.body,
        code_is = w.code_is,
        code = escape(code),
        link_label = w.link,
        href = escape(link),
        ignore = w.ignore,
    );
    Some(Rendered {
        subject: w.subject.to_owned(),
        text,
        html,
    })
}

/// Fills a link template's placeholders (`{{.Code}}`, `{{.UserID}}`, `{{.OrgID}}`, with or
/// without spaces inside the braces), URL-encoding the values.
pub fn fill_template(template: &str, code: &str, user_id: &str, org_id: &str) -> String {
    let mut out = template.to_owned();
    for (name, value) in [("Code", code), ("UserID", user_id), ("OrgID", org_id)] {
        let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        for pattern in [format!("{{{{.{name}}}}}"), format!("{{{{ .{name} }}}}")] {
            out = out.replace(&pattern, &encoded);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_filled_and_encoded() {
        let link = fill_template(
            "https://app.example.com/reset?code={{.Code}}&user={{ .UserID }}&org={{.OrgID}}",
            "AB CD",
            "u1",
            "o&1",
        );
        assert_eq!(
            link,
            "https://app.example.com/reset?code=AB+CD&user=u1&org=o%261"
        );
    }

    #[test]
    fn messages_follow_the_language_and_escape_html() {
        let english = render(
            CodePurpose::PasswordReset,
            "en",
            "Ada <Lovelace>",
            "K7Q2",
            "https://x/?a=1&b=2",
        )
        .unwrap();
        assert_eq!(english.subject, "Reset your password");
        assert!(english.text.contains("Your code is: K7Q2"));
        assert!(english.html.contains("Ada &lt;Lovelace&gt;"));
        assert!(english.html.contains("https://x/?a=1&amp;b=2"));
        let german = render(CodePurpose::Email, "de-CH", "Ada", "K7Q2", "https://x").unwrap();
        assert_eq!(german.subject, "E-Mail-Adresse bestätigen");
        assert!(render(CodePurpose::Phone, "en", "Ada", "1", "x").is_none());
    }
}
