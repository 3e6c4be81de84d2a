use serde_json::{Value, json};

use super::*;
use crate::protocol::error::ScimType;
use crate::protocol::schema::{GROUP_RESOURCE_TYPE, Schemaless, USER_RESOURCE_TYPE};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn user() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "Ext-42",
        "userName": "Bjensen@Example.com",
        "name": {"familyName": "Jensen", "givenName": "Barbara"},
        "displayName": "Babs Jensen",
        "title": "",
        "active": true,
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "x509Certificates": [],
        "meta": {
            "resourceType": "User",
            "created": "2011-08-01T18:29:49.793Z",
            "lastModified": "2011-08-01T20:31:02+02:00"
        },
        ENTERPRISE: {"employeeNumber": "701984", "manager": {"value": "26118915-6090"}},
        "loginCount": 42
    })
}

fn eval(filter: &str) -> bool {
    let parsed = parse_filter(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
    parsed
        .matches(&user(), &USER_RESOURCE_TYPE)
        .unwrap_or_else(|e| panic!("{filter}: {e}"))
}

fn invalid(filter: &str) -> ScimError {
    let error = parse_filter(filter)
        .and_then(|f| f.matches(&user(), &USER_RESOURCE_TYPE).map(|_| f))
        .expect_err(filter);
    assert_eq!(error.status, 400, "{filter}");
    assert_eq!(
        error.scim_type,
        Some(ScimType::InvalidFilter),
        "{filter}: {error}"
    );
    error
}

use crate::protocol::error::ScimError;

#[test]
fn eq_and_ne() {
    assert!(eval(r#"userName eq "bjensen@example.com""#));
    assert!(!eval(r#"userName eq "bjensen""#));
    assert!(eval(r#"userName ne "bjensen""#));
    assert!(!eval(r#"userName ne "BJENSEN@example.com""#));
    assert!(eval(r#"nickName ne "x""#), "ne matches an absent attribute");
}

#[test]
fn co_sw_ew() {
    assert!(eval(r#"displayName co "BS JEN""#));
    assert!(!eval(r#"displayName co "xyz""#));
    assert!(eval(r#"userName sw "bjen""#));
    assert!(!eval(r#"userName sw "example""#));
    assert!(eval(r#"userName ew "EXAMPLE.COM""#));
    assert!(!eval(r#"userName ew "bjensen""#));
}

#[test]
fn gt_lt_ge_le_on_strings_and_numbers() {
    assert!(eval(r#"userName gt "a""#));
    assert!(!eval(r#"userName gt "c""#));
    assert!(
        eval(r#"userName lt "C""#),
        "lexicographic and case-insensitive"
    );
    assert!(eval(r#"userName ge "bjensen@example.com""#));
    assert!(eval(r#"userName le "BJENSEN@EXAMPLE.COM""#));
    assert!(eval("loginCount gt 41"));
    assert!(!eval("loginCount gt 42"));
    assert!(eval("loginCount ge 42"));
    assert!(eval("loginCount lt 42.5"));
    assert!(eval("loginCount le 4.2e1"));
    assert!(eval("loginCount eq 42"));
}

#[test]
fn pr_requires_a_non_empty_value() {
    assert!(eval("displayName pr"));
    assert!(eval("emails pr"));
    assert!(eval("name.familyName pr"));
    assert!(
        eval("name pr"),
        "a complex value with sub-attributes is present"
    );
    assert!(eval("meta pr"));
    assert!(!eval("title pr"), "empty string");
    assert!(!eval("x509Certificates pr"), "empty array");
    assert!(!eval("nickName pr"), "absent");
    assert!(eval("nickName eq null"));
    assert!(eval("displayName ne null"));
}

#[test]
fn booleans_support_eq_and_ne_only() {
    assert!(eval("active eq true"));
    assert!(!eval("active eq false"));
    assert!(eval("active ne false"));
    assert!(eval("active eq TRUE"));
    assert!(eval(r#"active eq "True""#), "Entra-style string booleans");
    invalid("active gt true");
    invalid("active gt 1");
    invalid(r#"active co "t""#);
    invalid("userName lt false");
    invalid("userName ge null");
    // Schemaless, the value itself tells.
    let filter = parse_filter("active lt 3").unwrap();
    assert!(filter.matches(&user(), &Schemaless).is_err());
}

#[test]
fn and_binds_tighter_than_or() {
    // false and true or true == (false and true) or true == true
    assert!(eval(
        r#"userName eq "x" and active eq true or displayName pr"#
    ));
    // true or true and false == true or (true and false) == true
    assert!(eval(
        r#"displayName pr or active eq true and userName eq "x""#
    ));
    let parsed = parse_filter("a pr or b pr and c pr").unwrap();
    assert!(matches!(parsed, Filter::Or(_, ref right) if matches!(**right, Filter::And(_, _))));
    assert!(!eval(
        r#"(userName eq "x" or active eq true) and nickName pr"#
    ));
    assert!(eval(
        r#"userName eq "x" or (active eq true and displayName pr)"#
    ));
}

#[test]
fn not_and_grouping() {
    assert!(eval(r#"not (userName eq "x")"#));
    assert!(!eval(r#"not(userName pr)"#));
    assert!(eval(r#"NOT ((userName eq "x") OR (active eq false))"#));
    assert!(eval(r#"((((displayName pr))))"#));
    assert!(eval(r#"userName pr AnD not (nickName pr)"#));
}

#[test]
fn value_path_filters() {
    assert!(eval(
        r#"emails[type eq "work" and value co "@example.com"]"#
    ));
    assert!(!eval(
        r#"emails[type eq "home" and value co "@example.com"]"#
    ));
    assert!(eval(r#"emails[type eq "home" or primary eq true]"#));
    assert!(eval(r#"emails[not (type eq "work")]"#));
    assert!(eval(r#"emails[type eq "work"] and userName pr"#));
    assert!(!eval(r#"emails[primary eq true and type eq "home"]"#));
    assert!(eval(r#"emails[TYPE eq "WORK"]"#));
}

#[test]
fn value_path_with_sub_attribute() {
    assert!(eval(
        r#"emails[type eq "work"].value eq "bjensen@example.com""#
    ));
    assert!(!eval(
        r#"emails[type eq "home"].value eq "bjensen@example.com""#
    ));
    assert!(eval(r#"emails[type eq "home"].value ew "jensen.org""#));
    let parsed = parse_filter(r#"emails[type eq "work"].value pr"#).unwrap();
    assert!(matches!(parsed, Filter::ValuePath { .. }));
}

#[test]
fn urn_prefixed_paths() {
    assert!(eval(&format!(r#"{ENTERPRISE}:employeeNumber eq "701984""#)));
    assert!(eval(&format!(
        r#"{ENTERPRISE}:manager.value eq "26118915-6090""#
    )));
    assert!(!eval(&format!(r#"{ENTERPRISE}:employeeNumber eq "1""#)));
    assert!(eval(
        r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "bjensen""#
    ));
    assert!(eval(
        r#"URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:USERNAME sw "bjensen""#
    ));
    assert!(eval(&format!("{ENTERPRISE}:manager pr")));
}

#[test]
fn attribute_names_and_keywords_ignore_case() {
    assert!(eval(r#"USERNAME EQ "bjensen@example.com""#));
    assert!(eval(r#"Name.FamilyName Eq "jensen""#));
    assert!(eval(r#"emails.TYPE eq "home""#));
    assert!(eval("DISPLAYNAME PR"));
}

#[test]
fn case_exact_attributes_compare_exactly() {
    assert!(eval(r#"externalId eq "Ext-42""#));
    assert!(
        !eval(r#"externalId eq "ext-42""#),
        "externalId is caseExact"
    );
    assert!(eval(r#"id eq "2819c223-7f76-453a-919d-413861904646""#));
    assert!(
        !eval(r#"id eq "2819C223-7F76-453A-919D-413861904646""#),
        "id is caseExact"
    );
    assert!(!eval(r#"externalId sw "ext""#));
    assert!(
        eval(r#"userName eq "BJENSEN@EXAMPLE.COM""#),
        "userName is not caseExact"
    );
    // Without a schema every string comparison ignores case.
    let filter = parse_filter(r#"externalId eq "ext-42""#).unwrap();
    assert!(filter.matches(&user(), &Schemaless).unwrap());
}

#[test]
fn multi_valued_attributes_match_any_value() {
    assert!(eval(r#"emails.value eq "babs@jensen.org""#));
    assert!(eval(r#"emails.type eq "work""#));
    assert!(
        eval(r#"emails co "jensen.org""#),
        "complex values compare through value"
    );
    assert!(!eval(r#"emails.type eq "other""#));
    assert!(!eval(r#"emails.type ne "work""#), "ne: no value may equal");
    assert!(eval(r#"emails.type ne "other""#));
}

#[test]
fn date_times_compare_chronologically_with_offsets() {
    // lastModified is 2011-08-01T18:31:02Z written with a +02:00 offset.
    assert!(eval(r#"meta.lastModified gt "2011-08-01T18:30:00Z""#));
    assert!(eval(r#"meta.lastModified lt "2011-08-01T18:32:00Z""#));
    assert!(eval(r#"meta.lastModified eq "2011-08-01T18:31:02Z""#));
    assert!(eval(r#"meta.lastModified ge "2011-08-01T14:31:02-04:00""#));
    assert!(!eval(r#"meta.lastModified gt "2011-08-01T19:00:00Z""#));
    assert!(eval(r#"meta.created gt "2011-08-01T18:29:49.792Z""#));
    assert!(eval(r#"meta.created le "2011-08-01T18:29:49.793000Z""#));
    // A plain string comparison would say "2011-08-01T20..." > "2011-08-01T19...".
    assert!(!eval(r#"meta.lastModified gt "2011-08-01T19:00:00+00:00""#));
    invalid(r#"meta.created gt "yesterday""#);
}

#[test]
fn length_limit() {
    let long = format!(r#"userName eq "{}""#, "a".repeat(990));
    assert!(parse_filter(&long).is_err());
    let error = invalid(&long);
    assert!(error.detail.contains("1000"), "{}", error.detail);
    assert!(parse_filter_with_limit(&long, 2000).is_ok());
    let exact = format!(r#"userName eq "{}""#, "a".repeat(1000 - 14));
    assert_eq!(exact.chars().count(), 1000);
    assert!(parse_filter(&exact).is_ok());
    assert!(parse_filter_with_limit("a pr", 3).is_err());
}

#[test]
fn string_escapes_and_literals() {
    let parsed = parse_filter(r#"displayName eq "a \"quoted\" \u00e9\\ name""#).unwrap();
    assert_eq!(
        parsed,
        Filter::Compare {
            path: crate::protocol::path::AttrPath::new("displayName"),
            op: CompareOp::Eq,
            value: json!("a \"quoted\" é\\ name"),
        }
    );
    let parsed = parse_filter("x eq -1.5E+2").unwrap();
    assert!(matches!(parsed, Filter::Compare { value, .. } if value == json!(-150.0)));
    let parsed = parse_filter("x eq Null").unwrap();
    assert!(matches!(
        parsed,
        Filter::Compare {
            value: Value::Null,
            ..
        }
    ));
    let parsed = parse_filter("x  eq\t\"y\"").unwrap();
    assert!(matches!(
        parsed,
        Filter::Compare {
            op: CompareOp::Eq,
            ..
        }
    ));
}

#[test]
fn malformed_filters_are_invalid_filter() {
    let cases = [
        "",
        "   ",
        "userName",
        "userName eq",
        r#"userName eq "unterminated"#,
        r#"userName eq "bad \x escape""#,
        r#"userName eq bjensen"#,
        r#"userName like "x""#,
        r#"userName eq "x" and"#,
        r#"userName eq "x" or or displayName pr"#,
        r#"and userName pr"#,
        r#"(userName pr"#,
        r#"userName pr)"#,
        r#"not userName pr"#,
        r#"not (userName pr"#,
        r#"emails[type eq "work""#,
        r#"emails[type eq "work"]]"#,
        r#"emails[]"#,
        r#"emails[emails[type pr]]"#,
        r#"emails[type eq "work"] .value eq "x""#,
        r#"emails[type eq "work"].1value eq "x""#,
        r#"emails[type eq "work"].value"#,
        r#"emails.value[type eq "work"]"#,
        r#"emails[name.familyName pr]"#,
        r#"1userName pr"#,
        r#"name.familyName.x pr"#,
        r#"urn: pr"#,
        r#"userName eq 01"#,
        r#"userName eq 1."#,
        r#"userName eq .5"#,
        r#"userName eq 1e"#,
        r#"userName eq "x" "y""#,
        r#"userName pr displayName pr"#,
        r#"userName eq ("x")"#,
        r#")"#,
        r#"["#,
        r#"""#,
        r#"userName eq "x" and ()"#,
        r#"userName gt true"#,
        r#"userName co 3"#,
        r#"name eq "x""#,
        r#"userName[value pr]"#,
        r#"loginCount eq 1 and (((("#,
        "userName eq \"é\" and é pr",
    ];
    for case in cases {
        invalid(case);
    }
}

#[test]
fn errors_report_the_position() {
    let error = invalid(r#"userName eq "x" and displayName zz "y""#);
    assert!(error.detail.contains("position 32"), "{}", error.detail);
    let error = invalid("userName pr )");
    assert!(error.detail.contains("position 12"), "{}", error.detail);
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let deep = format!("{}userName pr{}", "(".repeat(400), ")".repeat(400));
    invalid(&deep);
    let nots = format!("{}userName pr{}", "not (".repeat(150), ")".repeat(150));
    invalid(&nots);
    let fine = format!("{}userName pr{}", "(".repeat(20), ")".repeat(20));
    assert!(eval(&fine));
}

#[test]
fn garbage_never_panics() {
    let alphabet = [
        "(", ")", "[", "]", "\"", "\\", " ", "a", "eq", "pr", "and", "not", ".", ":", "urn:", "1",
        "é", "-",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..3000 {
        let mut text = String::new();
        for _ in 0..(seed % 12) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push_str(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        if let Ok(filter) = parse_filter(&text) {
            let _ = filter.matches(&user(), &USER_RESOURCE_TYPE);
        }
    }
}

#[test]
fn indexed_lookups() {
    let lookup = |text: &str, rt| {
        let filter = parse_filter(text).unwrap();
        indexed_lookup(&filter, rt)
            .map(|l| (l.attribute, l.value.to_owned(), l.case_exact, l.exact))
    };
    assert_eq!(
        lookup(r#"userName eq "bjensen""#, &USER_RESOURCE_TYPE),
        Some((IndexedAttribute::UserName, "bjensen".into(), false, true))
    );
    assert_eq!(
        lookup(r#"EXTERNALID eq "E1""#, &USER_RESOURCE_TYPE),
        Some((IndexedAttribute::ExternalId, "E1".into(), true, true))
    );
    assert_eq!(
        lookup(r#"id eq "1""#, &GROUP_RESOURCE_TYPE),
        Some((IndexedAttribute::Id, "1".into(), true, true))
    );
    assert_eq!(
        lookup(r#"displayName eq "Admins""#, &GROUP_RESOURCE_TYPE),
        Some((IndexedAttribute::DisplayName, "Admins".into(), false, true))
    );
    assert_eq!(
        lookup(
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "b""#,
            &USER_RESOURCE_TYPE
        ),
        Some((IndexedAttribute::UserName, "b".into(), false, true))
    );
    assert_eq!(
        lookup(r#"active eq true and userName eq "b""#, &USER_RESOURCE_TYPE),
        Some((IndexedAttribute::UserName, "b".into(), false, false))
    );
    assert_eq!(lookup(r#"displayName eq "b""#, &USER_RESOURCE_TYPE), None);
    assert_eq!(lookup(r#"userName eq "b""#, &GROUP_RESOURCE_TYPE), None);
    assert_eq!(lookup(r#"userName ne "b""#, &USER_RESOURCE_TYPE), None);
    assert_eq!(
        lookup(r#"userName eq "a" or id eq "b""#, &USER_RESOURCE_TYPE),
        None
    );
    assert_eq!(lookup("id eq 1", &USER_RESOURCE_TYPE), None);
    assert_eq!(
        lookup(r#"name.givenName eq "b""#, &USER_RESOURCE_TYPE),
        None
    );
}

#[test]
fn group_filters() {
    let group = json!({
        "id": "g1",
        "displayName": "Admins",
        "members": [{"value": "u1", "type": "User"}, {"value": "u2"}]
    });
    let check = |text: &str| {
        parse_filter(text)
            .unwrap()
            .matches(&group, &GROUP_RESOURCE_TYPE)
            .unwrap()
    };
    assert!(check(r#"displayName eq "admins""#));
    assert!(check(r#"members[value eq "u2"]"#));
    assert!(
        !check(r#"members[value eq "U2"]"#),
        "members.value is caseExact"
    );
    assert!(check(r#"members.value eq "u1""#));
}
