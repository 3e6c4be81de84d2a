//! JSON ⇄ Avro values, guided by the schema.
//!
//! The ledger holds payloads as JSON (what serde writes for the event enums); the stream carries
//! Avro. Encoding walks the schema: records take exactly their fields (a missing field takes the
//! field's default, or null for a nullable one; an unknown field is an error, so a payload the
//! schema does not describe never loses data silently), unions pick null for JSON null and else
//! their first branch that fits, enums take their symbol's string. Decoding turns the Avro value
//! back into the JSON serde reads.
//!
//! A free-form JSON value of a payload (a `serde_json::Value` field, e.g. a JWK) is carried as its
//! JSON text: its field is a `string` (or `["null", "string"]`) with the attribute
//! `"castellan.json": true` ([`JSON_TEXT`]). Encoding writes the value's text (a JSON null of a
//! nullable field stays null), decoding parses the text back, so the payload round-trips as the
//! same JSON and consumers of the stream read plain Avro strings.

use std::collections::HashMap;

use apache_avro::Schema;
use apache_avro::schema::{Name, RecordField, RecordSchema};
use apache_avro::types::Value as Avro;
use serde_json::{Map, Number, Value as Json};

/// Why a JSON value does not fit a schema, and where (`payload.profile.given_name`).
#[derive(Debug)]
pub(crate) struct Mismatch {
    pub path: String,
    pub reason: String,
}

type Names<'s> = HashMap<Name, &'s Schema>;

/// The field attribute that marks a string field as the JSON text of a free-form JSON value.
pub(crate) const JSON_TEXT: &str = "castellan.json";

fn is_json_text(field: &RecordField) -> bool {
    field.custom_attributes.get(JSON_TEXT) == Some(&Json::Bool(true))
}

/// A reference resolved to the named schema it stands for (other schemas as they are).
fn resolve<'a>(schema: &'a Schema, names: &'a Names<'a>) -> &'a Schema {
    match schema {
        Schema::Ref { name } => names.get(name).copied().unwrap_or(schema),
        other => other,
    }
}

fn mismatch(path: &str, reason: impl Into<String>) -> Mismatch {
    Mismatch {
        path: if path.is_empty() {
            "(record)".to_owned()
        } else {
            path.to_owned()
        },
        reason: reason.into(),
    }
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

fn kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// Converts `json` to an Avro value of `schema`.
pub(crate) fn to_avro(
    json: &Json,
    schema: &Schema,
    names: &Names<'_>,
    path: &str,
) -> Result<Avro, Mismatch> {
    let wrong =
        |expected: &str| mismatch(path, format!("expected {expected}, found {}", kind(json)));
    match schema {
        Schema::Null => match json {
            Json::Null => Ok(Avro::Null),
            _ => Err(wrong("null")),
        },
        Schema::Boolean => json
            .as_bool()
            .map(Avro::Boolean)
            .ok_or_else(|| wrong("a boolean")),
        Schema::Int => json
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .map(Avro::Int)
            .ok_or_else(|| wrong("a 32-bit integer")),
        Schema::Long => json
            .as_i64()
            .map(Avro::Long)
            .ok_or_else(|| wrong("a 64-bit integer")),
        Schema::TimestampMicros => json
            .as_i64()
            .map(Avro::TimestampMicros)
            .ok_or_else(|| wrong("microseconds since the epoch")),
        Schema::TimestampMillis => json
            .as_i64()
            .map(Avro::TimestampMillis)
            .ok_or_else(|| wrong("milliseconds since the epoch")),
        Schema::Float => json
            .as_f64()
            .map(|n| Avro::Float(n as f32))
            .ok_or_else(|| wrong("a number")),
        Schema::Double => json
            .as_f64()
            .map(Avro::Double)
            .ok_or_else(|| wrong("a number")),
        Schema::String => json
            .as_str()
            .map(|s| Avro::String(s.to_owned()))
            .ok_or_else(|| wrong("a string")),
        Schema::Array(array) => {
            let items = json.as_array().ok_or_else(|| wrong("an array"))?;
            items
                .iter()
                .enumerate()
                .map(|(i, item)| to_avro(item, &array.items, names, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()
                .map(Avro::Array)
        }
        Schema::Map(map) => {
            let entries = json.as_object().ok_or_else(|| wrong("an object"))?;
            entries
                .iter()
                .map(|(k, v)| Ok((k.clone(), to_avro(v, &map.types, names, &join(path, k))?)))
                .collect::<Result<HashMap<_, _>, Mismatch>>()
                .map(Avro::Map)
        }
        Schema::Union(union) => {
            let variants = union.variants();
            if json.is_null() {
                return variants
                    .iter()
                    .position(|v| matches!(v, Schema::Null))
                    .and_then(|i| u32::try_from(i).ok())
                    .map(|i| Avro::Union(i, Box::new(Avro::Null)))
                    .ok_or_else(|| mismatch(path, "null is not allowed here"));
            }
            let mut reasons = Vec::new();
            for (index, variant) in variants.iter().enumerate() {
                if matches!(variant, Schema::Null) {
                    continue;
                }
                match to_avro(json, variant, names, path) {
                    Ok(value) => {
                        let index =
                            u32::try_from(index).map_err(|_| mismatch(path, "union too large"))?;
                        return Ok(Avro::Union(index, Box::new(value)));
                    }
                    Err(e) => reasons.push(e.reason),
                }
            }
            Err(mismatch(
                path,
                format!("fits no branch of the union ({})", reasons.join("; ")),
            ))
        }
        Schema::Record(record) => record_to_avro(json, record, names, path),
        Schema::Enum(enumeration) => {
            let symbol = json
                .as_str()
                .ok_or_else(|| wrong("an enum symbol (string)"))?;
            enumeration
                .symbols
                .iter()
                .position(|s| s == symbol)
                .and_then(|i| u32::try_from(i).ok())
                .map(|i| Avro::Enum(i, symbol.to_owned()))
                .ok_or_else(|| {
                    mismatch(
                        path,
                        format!(
                            "{symbol:?} is not one of {}",
                            enumeration.symbols.join(", ")
                        ),
                    )
                })
        }
        Schema::Ref { name } => match names.get(name) {
            Some(named) => to_avro(json, named, names, path),
            None => Err(mismatch(
                path,
                format!("unresolved schema reference {name:?}"),
            )),
        },
        other => Err(mismatch(
            path,
            format!("the Avro type {other} is not supported for JSON payloads"),
        )),
    }
}

fn record_to_avro(
    json: &Json,
    record: &RecordSchema,
    names: &Names<'_>,
    path: &str,
) -> Result<Avro, Mismatch> {
    let object = json
        .as_object()
        .ok_or_else(|| mismatch(path, format!("expected an object, found {}", kind(json))))?;
    if let Some(unknown) = object.keys().find(|key| !record.lookup.contains_key(*key)) {
        return Err(mismatch(
            &join(path, unknown),
            "the schema has no such field (add it to the schema, with a default)",
        ));
    }
    let mut fields = Vec::with_capacity(record.fields.len());
    for field in &record.fields {
        let field_path = join(path, &field.name);
        let value = match (object.get(&field.name), &field.default) {
            (Some(value), _) if is_json_text(field) => {
                let text = if value.is_null() && field.is_nullable() {
                    Json::Null
                } else {
                    Json::String(value.to_string())
                };
                to_avro(&text, &field.schema, names, &field_path)?
            }
            (Some(value), _) => to_avro(value, &field.schema, names, &field_path)?,
            (None, Some(default)) => to_avro(default, &field.schema, names, &field_path)?,
            (None, None) if field.is_nullable() => {
                to_avro(&Json::Null, &field.schema, names, &field_path)?
            }
            (None, None) => return Err(mismatch(&field_path, "missing (and no default)")),
        };
        fields.push((field.name.clone(), value));
    }
    Ok(Avro::Record(fields))
}

/// Converts a decoded Avro value back to the JSON serde reads. `schema` is the schema the value
/// was read as (the reader schema, or the writer's without one; `names` resolves its references):
/// it tells union branches apart and marks JSON text fields. Without it (or where the value does
/// not follow it) the value converts as it is.
pub(crate) fn to_json(
    value: Avro,
    schema: Option<&Schema>,
    names: &Names<'_>,
    path: &str,
) -> Result<Json, Mismatch> {
    let schema = schema.map(|s| resolve(s, names));
    Ok(match value {
        Avro::Null => Json::Null,
        Avro::Boolean(b) => Json::Bool(b),
        Avro::Int(n) | Avro::Date(n) | Avro::TimeMillis(n) => Json::from(n),
        Avro::Long(n)
        | Avro::TimeMicros(n)
        | Avro::TimestampMillis(n)
        | Avro::TimestampMicros(n)
        | Avro::TimestampNanos(n)
        | Avro::LocalTimestampMillis(n)
        | Avro::LocalTimestampMicros(n)
        | Avro::LocalTimestampNanos(n) => Json::from(n),
        Avro::Float(n) => float(f64::from(n), path)?,
        Avro::Double(n) => float(n, path)?,
        Avro::String(s) | Avro::Enum(_, s) => Json::String(s),
        Avro::Uuid(uuid) => Json::String(uuid.to_string()),
        Avro::Union(index, inner) => {
            let branch = match schema {
                Some(Schema::Union(union)) => usize::try_from(index)
                    .ok()
                    .and_then(|i| union.variants().get(i)),
                _ => None,
            };
            to_json(*inner, branch, names, path)?
        }
        Avro::Array(items) => {
            let item_schema = match schema {
                Some(Schema::Array(array)) => Some(array.items.as_ref()),
                _ => None,
            };
            Json::Array(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, item)| to_json(item, item_schema, names, &format!("{path}[{i}]")))
                    .collect::<Result<_, _>>()?,
            )
        }
        Avro::Map(entries) => {
            let value_schema = match schema {
                Some(Schema::Map(map)) => Some(map.types.as_ref()),
                _ => None,
            };
            let mut sorted: Vec<_> = entries.into_iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            let mut map = Map::new();
            for (key, item) in sorted {
                let item = to_json(item, value_schema, names, &join(path, &key))?;
                map.insert(key, item);
            }
            Json::Object(map)
        }
        Avro::Record(fields) => {
            let record = match schema {
                Some(Schema::Record(record)) => Some(record),
                _ => None,
            };
            let mut map = Map::new();
            for (name, item) in fields {
                let field_path = join(path, &name);
                let field = record.and_then(|r| r.lookup.get(&name).and_then(|&i| r.fields.get(i)));
                let mut item = to_json(item, field.map(|f| &f.schema), names, &field_path)?;
                if let (Some(field), Json::String(text)) = (field, &item)
                    && is_json_text(field)
                {
                    item = serde_json::from_str(text).map_err(|e| {
                        mismatch(&field_path, format!("the JSON text does not parse: {e}"))
                    })?;
                }
                map.insert(name, item);
            }
            Json::Object(map)
        }
        other => {
            return Err(mismatch(
                path,
                format!(
                    "the Avro value {:?} has no JSON form",
                    apache_avro::schema::SchemaKind::from(&other)
                ),
            ));
        }
    })
}

fn float(n: f64, path: &str) -> Result<Json, Mismatch> {
    Number::from_f64(n)
        .map(Json::Number)
        .ok_or_else(|| mismatch(path, "NaN and infinities have no JSON form"))
}

#[cfg(test)]
mod tests {
    use apache_avro::schema::ResolvedSchema;
    use serde_json::json;

    use super::*;

    fn convert(schema: &str, json: Json) -> Result<Avro, Mismatch> {
        let schema = Schema::parse_str(schema).unwrap();
        let resolved = ResolvedSchema::new(&schema).unwrap();
        to_avro(&json, &schema, resolved.get_names(), "")
    }

    /// Converts back, guided by the schema.
    fn back(schema: &str, value: Avro) -> Result<Json, Mismatch> {
        let schema = Schema::parse_str(schema).unwrap();
        let resolved = ResolvedSchema::new(&schema).unwrap();
        to_json(value, Some(&schema), resolved.get_names(), "")
    }

    /// Converts back without a schema.
    fn plain(value: Avro, path: &str) -> Result<Json, Mismatch> {
        to_json(value, None, &Names::new(), path)
    }

    #[test]
    fn unions_take_null_or_the_first_branch_that_fits() {
        let union = r#"["null", "long", "string"]"#;
        assert_eq!(
            convert(union, json!(null)).unwrap(),
            Avro::Union(0, Box::new(Avro::Null))
        );
        assert_eq!(
            convert(union, json!(5)).unwrap(),
            Avro::Union(1, Box::new(Avro::Long(5)))
        );
        assert_eq!(
            convert(union, json!("x")).unwrap(),
            Avro::Union(2, Box::new(Avro::String("x".into())))
        );
        assert!(convert(union, json!(true)).is_err());
        assert!(convert(r#"["long", "string"]"#, json!(null)).is_err());
    }

    #[test]
    fn maps_references_and_ints_convert() {
        let map = convert(r#"{"type": "map", "values": "int"}"#, json!({ "a": 1 })).unwrap();
        assert_eq!(plain(map, "").unwrap(), json!({ "a": 1 }));
        assert!(convert(r#""int""#, json!(i64::from(i32::MAX) + 1)).is_err());
        let twice = r#"{"type": "record", "name": "R", "fields": [
            {"name": "a", "type": {"type": "record", "name": "P", "fields": [{"name": "x", "type": "long"}]}},
            {"name": "b", "type": "P"}
        ]}"#;
        let value = convert(twice, json!({ "a": { "x": 1 }, "b": { "x": 2 } })).unwrap();
        assert_eq!(
            plain(value.clone(), "").unwrap(),
            json!({ "a": { "x": 1 }, "b": { "x": 2 } })
        );
        assert_eq!(
            back(twice, value).unwrap(),
            json!({ "a": { "x": 1 }, "b": { "x": 2 } })
        );
    }

    const JSON_TEXT_RECORD: &str = r#"{"type": "record", "name": "R", "fields": [
        {"name": "value", "type": "string", "castellan.json": true},
        {"name": "maybe", "type": ["null", "string"], "default": null, "castellan.json": true},
        {"name": "text", "type": "string"},
        {"name": "many", "type": {"type": "array", "items": {"type": "record", "name": "I", "fields": [
            {"name": "v", "type": "string", "castellan.json": true}
        ]}}},
        {"name": "off", "type": "string", "castellan.json": false}
    ]}"#;

    #[test]
    fn json_text_fields_carry_any_json_value_as_its_text() {
        let jwk = json!({ "kty": "RSA", "n": "AQAB", "key_ops": ["verify"], "ext": true, "x": 1.5, "y": null });
        let json = json!({
            "value": jwk,
            "maybe": null,
            "text": "{\"stays\": \"text\"}",
            "many": [{ "v": "a string" }, { "v": 7 }, { "v": null }],
            "off": "[1]"
        });
        let avro = convert(JSON_TEXT_RECORD, json.clone()).unwrap();
        let Avro::Record(fields) = &avro else {
            panic!("{avro:?}")
        };
        assert_eq!(fields[0], ("value".into(), Avro::String(jwk.to_string())));
        assert_eq!(
            fields[1],
            ("maybe".into(), Avro::Union(0, Box::new(Avro::Null)))
        );
        assert_eq!(
            fields[2],
            ("text".into(), Avro::String(r#"{"stays": "text"}"#.into()))
        );
        assert_eq!(
            fields[3],
            (
                "many".into(),
                Avro::Array(vec![
                    Avro::Record(vec![("v".into(), Avro::String(r#""a string""#.into()))]),
                    Avro::Record(vec![("v".into(), Avro::String("7".into()))]),
                    Avro::Record(vec![("v".into(), Avro::String("null".into()))]),
                ])
            )
        );
        assert_eq!(fields[4], ("off".into(), Avro::String("[1]".into())));
        assert_eq!(back(JSON_TEXT_RECORD, avro.clone()).unwrap(), json);

        // A value in a nullable JSON text field is its text too.
        let some = json!({ "value": {}, "maybe": [1, "two"], "text": "", "many": [], "off": "" });
        let avro = convert(JSON_TEXT_RECORD, some.clone()).unwrap();
        let Avro::Record(fields) = &avro else {
            panic!("{avro:?}")
        };
        assert_eq!(
            fields[1],
            (
                "maybe".into(),
                Avro::Union(1, Box::new(Avro::String(r#"[1,"two"]"#.into())))
            )
        );
        assert_eq!(back(JSON_TEXT_RECORD, avro).unwrap(), some);
    }

    #[test]
    fn json_text_that_does_not_parse_is_a_mismatch_with_its_path() {
        let avro = Avro::Record(vec![
            ("value".into(), Avro::String("{".into())),
            ("maybe".into(), Avro::Union(0, Box::new(Avro::Null))),
            ("text".into(), Avro::String("{".into())),
            ("many".into(), Avro::Array(vec![])),
            ("off".into(), Avro::String("{".into())),
        ]);
        let error = back(JSON_TEXT_RECORD, avro.clone()).unwrap_err();
        assert_eq!(error.path, "value");
        // Without the schema the text stays text.
        assert_eq!(plain(avro, "").unwrap()["value"], json!("{"));
    }

    #[test]
    fn internally_tagged_enums_are_unions_of_records_told_apart_by_a_one_symbol_enum() {
        let union = r#"[
            {"type": "record", "name": "A", "fields": [
                {"name": "kind", "type": {"type": "enum", "name": "AKind", "symbols": ["a"]}},
                {"name": "n", "type": "long"}
            ]},
            {"type": "record", "name": "B", "fields": [
                {"name": "kind", "type": {"type": "enum", "name": "BKind", "symbols": ["b"]}}
            ]}
        ]"#;
        for json in [json!({ "kind": "a", "n": 1 }), json!({ "kind": "b" })] {
            let avro = convert(union, json.clone()).unwrap();
            assert_eq!(back(union, avro).unwrap(), json);
        }
        assert!(matches!(
            convert(union, json!({ "kind": "b" })).unwrap(),
            Avro::Union(1, _)
        ));
        assert!(convert(union, json!({ "kind": "c" })).is_err());
        assert!(convert(union, json!({ "kind": "b", "n": 1 })).is_err());
    }

    #[test]
    fn values_without_a_json_form_are_refused() {
        assert!(plain(Avro::Double(f64::NAN), "x").is_err());
        assert!(plain(Avro::Bytes(vec![1]), "x").is_err());
        assert!(convert(r#""bytes""#, json!("AQ==")).is_err());
    }
}
