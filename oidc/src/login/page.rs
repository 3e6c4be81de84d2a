//! The hosted login's HTML: server-rendered, no JavaScript, every value escaped.

use super::look::Look;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn layout(look: &Look, title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>:root{{{css}}}\
         body{{font-family:sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem;\
         background:var(--background);color:var(--font)}}\
         label,input,button{{display:block;width:100%;margin:.4rem 0;font-size:1rem}}\
         button{{background:var(--primary);color:#fff;border:0;padding:.5rem}}\
         .error{{color:var(--warn)}}</style></head><body><h1>{title}</h1>{body}</body></html>",
        lang = look.lang,
        css = look.css,
        title = escape(title),
    )
}

pub fn error_page(look: &Look, message: &str) -> String {
    layout(
        look,
        look.texts.error_title,
        &format!("<p class=\"error\" id=\"error\">{}</p>", escape(message)),
    )
}

pub fn message_page(look: &Look, title: &str, message: &str) -> String {
    layout(
        look,
        title,
        &format!("<p id=\"message\">{}</p>", escape(message)),
    )
}

fn error_block(error: Option<&str>) -> String {
    error
        .map(|e| format!("<p class=\"error\" id=\"error\">{}</p>", escape(e)))
        .unwrap_or_default()
}

/// Account selection: the browser's signed-in account, offered before the login-name form.
fn account_block(look: &Look, auth_request: &str, csrf: &str, account: Option<&str>) -> String {
    let Some(account) = account else {
        return String::new();
    };
    let t = look.texts;
    format!(
        "<form method=\"post\" action=\"/ui/login/select\">\
         <input type=\"hidden\" name=\"authRequest\" value=\"{ar}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button id=\"continue\" type=\"submit\">{label}</button></form><p>{other}</p>",
        ar = escape(auth_request),
        csrf = escape(csrf),
        label = escape(t.continue_as).replace("{name}", &escape(account)),
        other = escape(t.other_account),
    )
}

pub fn login_name_page(
    look: &Look,
    auth_request: &str,
    csrf: &str,
    login_hint: &str,
    account: Option<&str>,
    register: bool,
    error: Option<&str>,
) -> String {
    let t = look.texts;
    let register = if register {
        register_link(look, auth_request)
    } else {
        String::new()
    };
    layout(
        look,
        t.sign_in,
        &format!(
            "{error}{account}<form method=\"post\" action=\"/ui/login/login\">\
             <input type=\"hidden\" name=\"authRequest\" value=\"{ar}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <label for=\"loginName\">{label}</label>\
             <input id=\"loginName\" name=\"loginName\" autocomplete=\"username\" value=\"{hint}\" required autofocus>\
             <button id=\"submit\" type=\"submit\">{next}</button></form>{register}",
            error = error_block(error),
            account = account_block(look, auth_request, csrf, account),
            ar = escape(auth_request),
            csrf = escape(csrf),
            hint = escape(login_hint),
            label = escape(t.login_name),
            next = escape(t.next),
        ),
    )
}

pub fn password_page(
    look: &Look,
    auth_request: &str,
    csrf: &str,
    login_name: &str,
    error: Option<&str>,
    reset: bool,
) -> String {
    let t = look.texts;
    let reset = if reset {
        format!(
            "<form method=\"post\" action=\"/ui/login/password/reset\">\
             <input type=\"hidden\" name=\"authRequest\" value=\"{ar}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <input type=\"hidden\" name=\"loginName\" value=\"{name}\">\
             <button id=\"forgot\" type=\"submit\">{label}</button></form>",
            ar = escape(auth_request),
            csrf = escape(csrf),
            name = escape(login_name),
            label = escape(t.forgot_password),
        )
    } else {
        String::new()
    };
    layout(
        look,
        t.password,
        &format!(
            "{error}<p>{name}</p><form method=\"post\" action=\"/ui/login/password\">\
             <input type=\"hidden\" name=\"authRequest\" value=\"{ar}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <input type=\"hidden\" name=\"loginName\" value=\"{name}\">\
             <label for=\"password\">{label}</label>\
             <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required autofocus>\
             <button id=\"submit\" type=\"submit\">{button}</button></form>{reset}",
            error = error_block(error),
            ar = escape(auth_request),
            csrf = escape(csrf),
            name = escape(login_name),
            label = escape(t.password),
            button = escape(t.sign_in_button),
        ),
    )
}

/// Password reset: the code (from the mail) and the new password. The user is named by the
/// login name (typed on the login page) or by the id in the mail's link.
#[allow(clippy::too_many_arguments)]
pub fn reset_page(
    look: &Look,
    auth_request: &str,
    csrf: &str,
    login_name: &str,
    user_id: &str,
    code: &str,
    notice: Option<&str>,
    error: Option<&str>,
) -> String {
    let t = look.texts;
    let notice = notice
        .map(|n| format!("<p id=\"message\">{}</p>", escape(n)))
        .unwrap_or_default();
    layout(
        look,
        t.reset_title,
        &format!(
            "{notice}{error}<form method=\"post\" action=\"/ui/login/password/reset/set\">\
             <input type=\"hidden\" name=\"authRequest\" value=\"{ar}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <input type=\"hidden\" name=\"loginName\" value=\"{name}\">\
             <input type=\"hidden\" name=\"userID\" value=\"{user}\">\
             <label for=\"code\">{code_label}</label>\
             <input id=\"code\" name=\"code\" value=\"{code}\" autocomplete=\"one-time-code\" required>\
             <label for=\"newPassword\">{new_label}</label>\
             <input id=\"newPassword\" name=\"newPassword\" type=\"password\" autocomplete=\"new-password\" required>\
             <label for=\"confirmation\">{repeat_label}</label>\
             <input id=\"confirmation\" name=\"confirmation\" type=\"password\" autocomplete=\"new-password\" required>\
             <button id=\"submit\" type=\"submit\">{button}</button></form>",
            error = error_block(error),
            ar = escape(auth_request),
            csrf = escape(csrf),
            name = escape(login_name),
            user = escape(user_id),
            code = escape(code),
            code_label = escape(t.reset_code),
            new_label = escape(t.new_password),
            repeat_label = escape(t.repeat_password),
            button = escape(t.change_button),
        ),
    )
}

/// Email verification: the code from the mail.
pub fn verify_mail_page(
    look: &Look,
    csrf: &str,
    user_id: &str,
    code: &str,
    error: Option<&str>,
) -> String {
    let t = look.texts;
    layout(
        look,
        t.verify_title,
        &format!(
            "{error}<form method=\"post\" action=\"/ui/login/mail/verify\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <input type=\"hidden\" name=\"userID\" value=\"{user}\">\
             <label for=\"code\">{code_label}</label>\
             <input id=\"code\" name=\"code\" value=\"{code}\" autocomplete=\"one-time-code\" required>\
             <button id=\"submit\" type=\"submit\">{button}</button></form>",
            error = error_block(error),
            csrf = escape(csrf),
            user = escape(user_id),
            code = escape(code),
            code_label = escape(t.reset_code),
            button = escape(t.verify_button),
        ),
    )
}

/// The second step for users with a TOTP generator: the code from the authenticator app.
pub fn totp_page(look: &Look, auth_request: &str, csrf: &str, error: Option<&str>) -> String {
    totp_form(
        look,
        "/ui/login/totp",
        ("authRequest", auth_request),
        csrf,
        error,
    )
}

/// The device login's second step: the TOTP code, after the password.
pub fn device_totp_page(look: &Look, csrf: &str, user_code: &str, error: Option<&str>) -> String {
    totp_form(look, "/device/totp", ("userCode", user_code), csrf, error)
}

/// The TOTP code form, posting to `action` with one hidden field naming what it continues.
fn totp_form(
    look: &Look,
    action: &str,
    (field, value): (&str, &str),
    csrf: &str,
    error: Option<&str>,
) -> String {
    let t = look.texts;
    layout(
        look,
        t.totp_title,
        &format!(
            "{error}<form method=\"post\" action=\"{action}\">\
             <input type=\"hidden\" name=\"{field}\" value=\"{value}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <label for=\"code\">{label}</label>\
             <input id=\"code\" name=\"code\" inputmode=\"numeric\" pattern=\"[0-9]{{6}}\" maxlength=\"6\" autocomplete=\"one-time-code\" required autofocus>\
             <button id=\"submit\" type=\"submit\">{button}</button></form>",
            error = error_block(error),
            action = escape(action),
            field = escape(field),
            value = escape(value),
            csrf = escape(csrf),
            label = escape(t.totp_code),
            button = escape(t.totp_button),
        ),
    )
}

pub fn device_page(look: &Look, csrf: &str, user_code: &str, error: Option<&str>) -> String {
    let t = look.texts;
    layout(
        look,
        t.device_title,
        &format!(
            "{error}<form method=\"post\" action=\"/device\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <label for=\"userCode\">{code_label}</label>\
             <input id=\"userCode\" name=\"userCode\" value=\"{code}\" required>\
             <label for=\"loginName\">{name_label}</label>\
             <input id=\"loginName\" name=\"loginName\" autocomplete=\"username\" required>\
             <label for=\"password\">{password_label}</label>\
             <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
             <button id=\"submit\" type=\"submit\">{button}</button></form>",
            error = error_block(error),
            csrf = escape(csrf),
            code = escape(user_code),
            code_label = escape(t.device_code),
            name_label = escape(t.login_name),
            password_label = escape(t.password),
            button = escape(t.continue_button),
        ),
    )
}

pub fn device_consent_page(
    look: &Look,
    csrf: &str,
    user_code: &str,
    client: &str,
    scopes: &str,
) -> String {
    let t = look.texts;
    let consent = escape(t.consent)
        .replace("{client}", &escape(client))
        .replace("{scopes}", &escape(scopes));
    layout(
        look,
        t.consent_title,
        &format!(
            "<p id=\"consent\">{consent}</p>\
             <form method=\"post\" action=\"/device/decide\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <input type=\"hidden\" name=\"userCode\" value=\"{code}\">\
             <button id=\"approve\" name=\"decision\" value=\"approve\" type=\"submit\">{allow}</button>\
             <button id=\"deny\" name=\"decision\" value=\"deny\" type=\"submit\">{deny}</button></form>",
            csrf = escape(csrf),
            code = escape(user_code),
            allow = escape(t.allow),
            deny = escape(t.deny),
        ),
    )
}

pub fn change_password_page(
    look: &Look,
    auth_request: &str,
    csrf: &str,
    error: Option<&str>,
) -> String {
    let t = look.texts;
    layout(
        look,
        t.change_title,
        &format!(
            "{error}<p id=\"reason\">{reason}</p>\
             <form method=\"post\" action=\"/ui/login/password/change\">\
             <input type=\"hidden\" name=\"authRequest\" value=\"{ar}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <label for=\"newPassword\">{new_label}</label>\
             <input id=\"newPassword\" name=\"newPassword\" type=\"password\" autocomplete=\"new-password\" required>\
             <label for=\"confirmation\">{repeat_label}</label>\
             <input id=\"confirmation\" name=\"confirmation\" type=\"password\" autocomplete=\"new-password\" required>\
             <button id=\"submit\" type=\"submit\">{button}</button></form>",
            error = error_block(error),
            ar = escape(auth_request),
            csrf = escape(csrf),
            reason = escape(t.change_reason),
            new_label = escape(t.new_password),
            repeat_label = escape(t.repeat_password),
            button = escape(t.change_button),
        ),
    )
}

/// Self-registration (login settings `allowRegister`).
pub fn register_page(look: &Look, auth_request: &str, csrf: &str, error: Option<&str>) -> String {
    let t = look.texts;
    let field = |id: &str, label: &str, kind: &str, autocomplete: &str, required: bool| {
        format!(
            "<label for=\"{id}\">{label}</label><input id=\"{id}\" name=\"{id}\" type=\"{kind}\" \
             autocomplete=\"{autocomplete}\"{required}>",
            label = escape(label),
            required = if required { " required" } else { "" },
        )
    };
    layout(
        look,
        t.register_title,
        &format!(
            "{error}<form method=\"post\" action=\"/ui/login/register\">\
             <input type=\"hidden\" name=\"authRequest\" value=\"{ar}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             {given}{family}{email}{username}{password}{confirmation}\
             <button id=\"submit\" type=\"submit\">{button}</button></form>",
            error = error_block(error),
            ar = escape(auth_request),
            csrf = escape(csrf),
            given = field("givenName", t.given_name, "text", "given-name", true),
            family = field("familyName", t.family_name, "text", "family-name", true),
            email = field("email", t.email, "email", "email", true),
            username = field("username", t.username_optional, "text", "username", false),
            password = field(
                "newPassword",
                t.new_password,
                "password",
                "new-password",
                true
            ),
            confirmation = field(
                "confirmation",
                t.repeat_password,
                "password",
                "new-password",
                true
            ),
            button = escape(t.register_button),
        ),
    )
}

/// The link from the login-name page to registration.
pub fn register_link(look: &Look, auth_request: &str) -> String {
    format!(
        "<p><a id=\"register\" href=\"/ui/login/register?authRequest={ar}\">{label}</a></p>",
        ar = escape(auth_request),
        label = escape(look.texts.register_link),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped() {
        assert_eq!(
            escape("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
        let page = password_page(&Look::default(), "1", "c", "\"><script>", None, true);
        assert!(!page.contains("<script>"));
    }

    #[test]
    fn german_pages_say_german_things() {
        let look = Look {
            lang: "de",
            texts: &super::super::texts::DE,
            ..Look::default()
        };
        let page = login_name_page(&look, "1", "c", "", None, false, None);
        assert!(page.contains("lang=\"de\""));
        assert!(page.contains(">Loginname<"));
    }
}
