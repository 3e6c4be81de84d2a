//! Mailed codes end to end, through a real SMTP server (`aiosmtpd` from PyPI, installed by
//! `infra/python-env`, writing a Maildir): "Forgot password?" in the hosted login mails a code
//! that sets a new password; self-registration mails a verification code whose link verifies
//! the address; a relay that is down when the code is written gets the mail once it is up.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use super::{Browser, hidden, location, log_in, query_param};
use crate::e2e::support::{Server, free_port};

/// An `aiosmtpd` process that stores every message it accepts in a Maildir.
struct SmtpServer {
    child: Child,
    maildir: PathBuf,
}

impl SmtpServer {
    fn start(port: u16, dir: &Path) -> SmtpServer {
        let python = std::env::var("CASTELLAN_TEST_PYTHON")
            .expect("CASTELLAN_TEST_PYTHON must name a python with aiosmtpd (eval \"$(bash infra/python-env)\")");
        let maildir = dir.join("maildir");
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "aiosmtpd did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        SmtpServer { child, maildir }
    }

    /// Every message delivered so far, as text (quoted-printable parts decoded).
    fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        entries
            .map(|e| unquote(&std::fs::read_to_string(e.unwrap().path()).unwrap()))
            .collect()
    }

    /// Waits until `count` messages are there.
    async fn wait_for(&self, count: usize) -> Vec<String> {
        let started = Instant::now();
        loop {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "expected {count} mails, have {}",
                messages.len()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Decodes quoted-printable (RFC 2045 §6.7): soft line breaks and `=XX` escapes.
fn unquote(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn smtp_env(port: &str) -> Vec<(&'static str, String)> {
    vec![
        ("CASTELLAN_SMTP_HOST", "127.0.0.1".to_owned()),
        ("CASTELLAN_SMTP_PORT", port.to_owned()),
        ("CASTELLAN_SMTP_SECURITY", "none".to_owned()),
        (
            "CASTELLAN_SMTP_FROM",
            "Castellan <noreply@castellan.test>".to_owned(),
        ),
    ]
}

async fn start_with_mail(dir: &Path, smtp_port: u16) -> Server {
    let port = smtp_port.to_string();
    let env = smtp_env(&port);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Server::start(dir, &env).await
}

/// The code in a mail's text part ("Your code is: …").
fn code_in(mail: &str) -> String {
    let line = mail
        .lines()
        .find(|l| l.contains("code is: "))
        .unwrap_or_else(|| panic!("no code in {mail}"));
    line.rsplit("code is: ").next().unwrap().trim().to_owned()
}

/// The first link of the text part.
fn link_in(mail: &str) -> String {
    mail.lines()
        .map(str::trim)
        .find(|l| l.starts_with("http"))
        .unwrap_or_else(|| panic!("no link in {mail}"))
        .to_owned()
}

/// Authorize → login name; returns the password page and its form fields.
async fn to_password_page(
    browser: &mut Browser,
    client_id: &str,
    name: &str,
) -> (String, String, String) {
    let authorize = format!(
        "/oauth/v2/authorize?client_id={}&redirect_uri=https%3A%2F%2Fshop.test%2Fcb&response_type=code&scope=openid",
        super::urlencode(client_id)
    );
    let response = browser.get(&authorize).await;
    let page = browser
        .get(&location(&response))
        .await
        .text()
        .await
        .unwrap();
    let auth_request = hidden(&page, "authRequest");
    let csrf = hidden(&page, "csrf");
    let page = browser
        .post(
            "/ui/login/login",
            &[
                ("authRequest", &auth_request),
                ("csrf", &csrf),
                ("loginName", name),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    (page, auth_request, csrf)
}

#[tokio::test]
async fn a_forgotten_password_is_reset_with_a_mailed_code() {
    let dir = tempfile::tempdir().unwrap();
    let smtp_port = free_port();
    let smtp = SmtpServer::start(smtp_port, dir.path());
    let server = start_with_mail(&dir.path().join("castellan"), smtp_port).await;
    let (client_id, _) = super::setup(&server).await;
    let mut browser = Browser::new(&server);

    // Unknown users get the same answer, and no mail.
    let (page, unknown_request, csrf) = to_password_page(&mut browser, &client_id, "nobody").await;
    assert!(page.contains("id=\"forgot\""), "{page}");
    let unknown = browser
        .post(
            "/ui/login/password/reset",
            &[
                ("authRequest", &unknown_request),
                ("csrf", &csrf),
                ("loginName", "nobody"),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    let (_, auth_request, csrf) = to_password_page(&mut browser, &client_id, "ada").await;
    let known = browser
        .post(
            "/ui/login/password/reset",
            &[
                ("authRequest", &auth_request),
                ("csrf", &csrf),
                ("loginName", "ada"),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(known.contains("If this account exists"), "{known}");
    let normalize = |page: &str, auth_request: &str, name: &str| {
        page.replace(auth_request, "AR")
            .replace(&format!("value=\"{name}\""), "value=\"NAME\"")
    };
    assert_eq!(
        normalize(&unknown, &unknown_request, "nobody"),
        normalize(&known, &auth_request, "ada"),
        "the two answers differ beyond the names"
    );
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1, "only the known user gets a mail");
    let mail = &mails[0];
    assert!(
        mail.contains("To: \"Ada Lovelace\" <ada@example.com>"),
        "{mail}"
    );
    assert!(mail.contains("Subject: Reset your password"), "{mail}");
    let code = code_in(mail);
    let link = link_in(mail);
    assert_eq!(
        query_param(&link, "authRequest").as_deref(),
        Some(auth_request.as_str())
    );
    assert_eq!(query_param(&link, "code").as_deref(), Some(code.as_str()));

    let set = |code: String, password: &'static str| {
        let (ar, c) = (auth_request.clone(), csrf.clone());
        (ar, c, code, password)
    };
    // A wrong code changes nothing.
    let (ar, c, wrong, password) = set("WRONGCODE".into(), "Reset-Passw0rd!");
    let page = browser
        .post(
            "/ui/login/password/reset/set",
            &[
                ("authRequest", &ar),
                ("csrf", &c),
                ("loginName", "ada"),
                ("code", &wrong),
                ("newPassword", password),
                ("confirmation", password),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("The code is not valid."), "{page}");
    // The right code (through the link's page) and a new password.
    let page = browser
        .get(&format!(
            "/ui/login/password/reset/set?{}",
            link.split_once('?').unwrap().1
        ))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(hidden(&page, "userID"), "ada");
    let response = browser
        .post(
            "/ui/login/password/reset/set",
            &[
                ("authRequest", &auth_request),
                ("csrf", &hidden(&page, "csrf")),
                ("userID", "ada"),
                ("code", &code),
                ("newPassword", "Reset-Passw0rd!"),
                ("confirmation", "Reset-Passw0rd!"),
            ],
        )
        .await;
    let page = response.text().await.unwrap();
    assert!(page.contains("Your password has been changed."), "{page}");
    assert!(page.contains("name=\"password\""), "{page}");
    // The code is spent; the new password signs in, the old one does not.
    let again = browser
        .post(
            "/ui/login/password/reset/set",
            &[
                ("authRequest", &auth_request),
                ("csrf", &csrf),
                ("userID", "ada"),
                ("code", &code),
                ("newPassword", "Other-Passw0rd!"),
                ("confirmation", "Other-Passw0rd!"),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(again.contains("The code is not valid."), "{again}");
    let authorize = format!(
        "/oauth/v2/authorize?client_id={}&redirect_uri=https%3A%2F%2Fshop.test%2Fcb&response_type=code&scope=openid",
        super::urlencode(&client_id)
    );
    let mut fresh = Browser::new(&server);
    let old = log_in(&mut fresh, &authorize, "ada", "Secret-Passw0rd!").await;
    assert!(
        old.contains("The login name or password is wrong."),
        "{old}"
    );
    let callback = log_in(&mut fresh, &authorize, "ada", "Reset-Passw0rd!").await;
    assert!(
        callback.starts_with("https://shop.test/cb?code="),
        "{callback}"
    );
}

#[tokio::test]
async fn a_registered_address_is_verified_by_the_mailed_link_even_when_the_relay_was_down() {
    let dir = tempfile::tempdir().unwrap();
    // The relay is down when the user registers.
    let smtp_port = free_port();
    let server = start_with_mail(&dir.path().join("castellan"), smtp_port).await;
    let (client_id, _) = super::setup(&server).await;
    let mut browser = Browser::new(&server);
    let authorize = format!(
        "/oauth/v2/authorize?client_id={}&redirect_uri=https%3A%2F%2Fshop.test%2Fcb&response_type=code&scope=openid",
        super::urlencode(&client_id)
    );
    let response = browser.get(&authorize).await;
    let login = location(&response);
    let page = browser.get(&login).await.text().await.unwrap();
    let auth_request = hidden(&page, "authRequest");
    let page = browser
        .get(&format!("/ui/login/register?authRequest={auth_request}"))
        .await
        .text()
        .await
        .unwrap();
    let response = browser
        .post(
            "/ui/login/register",
            &[
                ("authRequest", &auth_request),
                ("csrf", &hidden(&page, "csrf")),
                ("givenName", "Grace"),
                ("familyName", "Hopper"),
                ("email", "grace@example.com"),
                ("username", "grace"),
                ("newPassword", "Grace-Passw0rd!"),
                ("confirmation", "Grace-Passw0rd!"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303, "{:?}", response.text().await);
    // Now the relay comes up; the notifier's retries deliver the mail.
    let smtp = SmtpServer::start(smtp_port, dir.path());
    let mails = smtp.wait_for(1).await;
    let mail = &mails[0];
    assert!(mail.contains("<grace@example.com>"), "{mail}");
    assert!(
        mail.contains("Subject: Verify your email address"),
        "{mail}"
    );
    let link = link_in(mail);
    let user_id = query_param(&link, "userID").unwrap();
    let user = server
        .admin_ok(
            "zitadel.user.v2.UserService",
            "GetUserByID",
            json!({"userId": user_id}),
        )
        .await;
    assert_ne!(user["user"]["human"]["email"]["isVerified"], true, "{user}");
    let page = browser
        .get(&format!(
            "/ui/login/mail/verify?{}",
            link.split_once('?').unwrap().1
        ))
        .await
        .text()
        .await
        .unwrap();
    // A wrong code first: nothing changes.
    let wrong = browser
        .post(
            "/ui/login/mail/verify",
            &[
                ("csrf", &hidden(&page, "csrf")),
                ("userID", &user_id),
                ("code", "NOPE"),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(wrong.contains("The code is not valid."), "{wrong}");
    let done = browser
        .post(
            "/ui/login/mail/verify",
            &[
                ("csrf", &hidden(&page, "csrf")),
                ("userID", &user_id),
                ("code", &code_in(mail)),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(done.contains("Your email address is verified."), "{done}");
    let user = server
        .admin_ok(
            "zitadel.user.v2.UserService",
            "GetUserByID",
            json!({"userId": user_id}),
        )
        .await;
    assert_eq!(user["user"]["human"]["email"]["isVerified"], true, "{user}");
}

#[tokio::test]
async fn without_a_relay_the_login_offers_no_reset() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let (client_id, _) = super::setup(&server).await;
    let mut browser = Browser::new(&server);
    let (page, auth_request, csrf) = to_password_page(&mut browser, &client_id, "ada").await;
    assert!(page.contains("name=\"password\""), "{page}");
    assert!(!page.contains("id=\"forgot\""), "{page}");
    let response = browser
        .post(
            "/ui/login/password/reset",
            &[
                ("authRequest", &auth_request),
                ("csrf", &csrf),
                ("loginName", "ada"),
            ],
        )
        .await;
    assert_eq!(response.status(), 404);
}
