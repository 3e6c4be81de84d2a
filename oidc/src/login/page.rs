//! The hosted login's HTML: server-rendered, no JavaScript, every value escaped.

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

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>body{{font-family:sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem}}\
         label,input,button{{display:block;width:100%;margin:.4rem 0;font-size:1rem}}\
         .error{{color:#b00020}}</style></head><body><h1>{title}</h1>{body}</body></html>",
        title = escape(title),
    )
}

pub fn error_page(message: &str) -> String {
    layout(
        "Something went wrong",
        &format!("<p class=\"error\" id=\"error\">{}</p>", escape(message)),
    )
}

pub fn message_page(title: &str, message: &str) -> String {
    layout(title, &format!("<p id=\"message\">{}</p>", escape(message)))
}

fn error_block(error: Option<&str>) -> String {
    error
        .map(|e| format!("<p class=\"error\" id=\"error\">{}</p>", escape(e)))
        .unwrap_or_default()
}

pub fn login_name_page(
    auth_request: &str,
    csrf: &str,
    login_hint: &str,
    error: Option<&str>,
) -> String {
    layout(
        "Sign in",
        &format!(
            "{error}<form method=\"post\" action=\"/ui/login/login\">\
             <input type=\"hidden\" name=\"authRequest\" value=\"{ar}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <label for=\"loginName\">Login name</label>\
             <input id=\"loginName\" name=\"loginName\" autocomplete=\"username\" value=\"{hint}\" required autofocus>\
             <button id=\"submit\" type=\"submit\">Next</button></form>",
            error = error_block(error),
            ar = escape(auth_request),
            csrf = escape(csrf),
            hint = escape(login_hint),
        ),
    )
}

pub fn password_page(
    auth_request: &str,
    csrf: &str,
    login_name: &str,
    error: Option<&str>,
) -> String {
    layout(
        "Password",
        &format!(
            "{error}<p>{name}</p><form method=\"post\" action=\"/ui/login/password\">\
             <input type=\"hidden\" name=\"authRequest\" value=\"{ar}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <input type=\"hidden\" name=\"loginName\" value=\"{name}\">\
             <label for=\"password\">Password</label>\
             <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required autofocus>\
             <button id=\"submit\" type=\"submit\">Sign in</button></form>",
            error = error_block(error),
            ar = escape(auth_request),
            csrf = escape(csrf),
            name = escape(login_name),
        ),
    )
}

/// The second step for users with a TOTP generator: the code from the authenticator app.
pub fn totp_page(auth_request: &str, csrf: &str, error: Option<&str>) -> String {
    layout(
        "Verify with your authenticator app",
        &format!(
            "{error}<form method=\"post\" action=\"/ui/login/totp\">\
             <input type=\"hidden\" name=\"authRequest\" value=\"{ar}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <label for=\"code\">Code</label>\
             <input id=\"code\" name=\"code\" inputmode=\"numeric\" pattern=\"[0-9]{{6}}\" maxlength=\"6\" autocomplete=\"one-time-code\" required autofocus>\
             <button id=\"submit\" type=\"submit\">Verify</button></form>",
            error = error_block(error),
            ar = escape(auth_request),
            csrf = escape(csrf),
        ),
    )
}

pub fn device_page(csrf: &str, user_code: &str, error: Option<&str>) -> String {
    layout(
        "Connect a device",
        &format!(
            "{error}<form method=\"post\" action=\"/device\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <label for=\"userCode\">Code shown on the device</label>\
             <input id=\"userCode\" name=\"userCode\" value=\"{code}\" required>\
             <label for=\"loginName\">Login name</label>\
             <input id=\"loginName\" name=\"loginName\" autocomplete=\"username\" required>\
             <label for=\"password\">Password</label>\
             <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
             <button id=\"submit\" type=\"submit\">Continue</button></form>",
            error = error_block(error),
            csrf = escape(csrf),
            code = escape(user_code),
        ),
    )
}

pub fn device_consent_page(csrf: &str, user_code: &str, client: &str, scopes: &str) -> String {
    layout(
        "Allow access?",
        &format!(
            "<p id=\"consent\">{client} asks for access ({scopes}).</p>\
             <form method=\"post\" action=\"/device/decide\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <input type=\"hidden\" name=\"userCode\" value=\"{code}\">\
             <button id=\"approve\" name=\"decision\" value=\"approve\" type=\"submit\">Allow</button>\
             <button id=\"deny\" name=\"decision\" value=\"deny\" type=\"submit\">Deny</button></form>",
            client = escape(client),
            scopes = escape(scopes),
            csrf = escape(csrf),
            code = escape(user_code),
        ),
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
        let page = password_page("1", "c", "\"><script>", None);
        assert!(!page.contains("<script>"));
    }
}
