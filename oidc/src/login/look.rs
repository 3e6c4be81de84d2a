//! How the hosted login looks to one request: its language (English or German, from the auth
//! request's `ui_locales`, else the browser's `Accept-Language`) and the instance's branding
//! (label settings: colors). Colors are checked before they reach the style sheet.

use axum::http::{HeaderMap, header};
use castellan_api::state::AppState;
use castellan_core::settings::LabelPolicy;
use castellan_readers::queries::settings::resolve;

use super::texts::{DE, EN, Texts};

#[derive(Clone, Debug)]
pub struct Look {
    pub lang: &'static str,
    pub texts: &'static Texts,
    /// CSS custom properties from the branding.
    pub css: String,
}

impl Default for Look {
    fn default() -> Self {
        Self {
            lang: "en",
            texts: &EN,
            css: css(&LabelPolicy::default()),
        }
    }
}

/// A CSS color as the label settings hold it: `#rgb`, `#rgba`, `#rrggbb` or `#rrggbbaa`.
fn color(value: &str, fallback: &str) -> String {
    let hex = value.strip_prefix('#').unwrap_or_default();
    if matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        value.to_owned()
    } else {
        fallback.to_owned()
    }
}

fn css(label: &LabelPolicy) -> String {
    let defaults = LabelPolicy::default();
    format!(
        "--primary:{};--background:{};--warn:{};--font:{}",
        color(&label.primary_color, &defaults.primary_color),
        color(&label.background_color, &defaults.background_color),
        color(&label.warn_color, &defaults.warn_color),
        color(&label.font_color, &defaults.font_color),
    )
}

/// The first supported language of a preference list (`de-CH, en;q=0.8` → "de").
pub fn language<'a>(preferences: impl IntoIterator<Item = &'a str>) -> Option<&'static str> {
    preferences.into_iter().find_map(|item| {
        let tag = item.split(';').next().unwrap_or_default().trim();
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        match primary.to_ascii_lowercase().as_str() {
            "de" => Some("de"),
            "en" => Some("en"),
            _ => None,
        }
    })
}

impl Look {
    /// The look for a request of `instance_id`; `ui_locales` from the auth request, if any.
    pub async fn of(
        state: &AppState,
        instance_id: Option<&str>,
        headers: &HeaderMap,
        ui_locales: &[String],
    ) -> Look {
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let lang = language(ui_locales.iter().map(String::as_str))
            .or_else(|| language(accept.split(',')))
            .unwrap_or("en");
        let label = match instance_id {
            Some(instance) => resolve::<LabelPolicy>(state.store(), instance, None)
                .await
                .map(|effective| effective.policy)
                .unwrap_or_default(),
            None => LabelPolicy::default(),
        };
        Look {
            lang,
            texts: if lang == "de" { &DE } else { &EN },
            css: css(&label),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_follow_preference_order() {
        assert_eq!(language(["fr", "de-CH", "en"]), Some("de"));
        assert_eq!(language("en-US,de;q=0.5".split(',')), Some("en"));
        assert_eq!(language(["fr"]), None);
    }

    #[test]
    fn only_hex_colors_reach_the_style_sheet() {
        assert_eq!(color("#12ab", "#000"), "#12ab");
        assert_eq!(color("red;}body{display:none", "#000"), "#000");
        assert_eq!(color("#12345g", "#000"), "#000");
    }
}
