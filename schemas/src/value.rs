//! JSON ⇄ Avro values, guided by the schema.
//!
//! The ledger holds payloads as JSON (what serde writes for the event enums); the stream carries
//! Avro. Encoding walks the schema: records take exactly their fields (a missing field takes the
//! field's default, or null for a nullable one; an unknown field is an error, so a payload the
//! schema does not describe never loses data silently), unions pick null for JSON null and else
//! their first branch that fits, enums take their symbol's string. Decoding turns the Avro value
//! back into the JSON serde reads.

use std::collections::HashMap;

use apache_avro::Schema;
use apache_avro::schema::{Name, RecordSchema};
use apache_avro::types::Value as Avro;
use serde_json::{Map, Number, Value as Json};

/// Why a JSON value does not fit a schema, and where (`payload.profile.given_name`).
#[derive(Debug)]
pub(crate) struct Mismatch {
    pub path: String,
    pub reason: String,
}

type Names<'s> = HashMap<Name, &'s Schema>;

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

/// Converts a decoded Avro value back to the JSON serde reads.
pub(crate) fn to_json(value: Avro, path: &str) -> Result<Json, Mismatch> {
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
        Avro::Union(_, inner) => to_json(*inner, path)?,
        Avro::Array(items) => Json::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| to_json(item, &format!("{path}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        Avro::Map(entries) => {
            let mut sorted: Vec<_> = entries.into_iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            let mut map = Map::new();
            for (key, item) in sorted {
                let item = to_json(item, &join(path, &key))?;
                map.insert(key, item);
            }
            Json::Object(map)
        }
        Avro::Record(fields) => {
            let mut map = Map::new();
            for (name, item) in fields {
                let item = to_json(item, &join(path, &name))?;
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
        assert_eq!(to_json(map, "").unwrap(), json!({ "a": 1 }));
        assert!(convert(r#""int""#, json!(i64::from(i32::MAX) + 1)).is_err());
        let twice = r#"{"type": "record", "name": "R", "fields": [
            {"name": "a", "type": {"type": "record", "name": "P", "fields": [{"name": "x", "type": "long"}]}},
            {"name": "b", "type": "P"}
        ]}"#;
        let value = convert(twice, json!({ "a": { "x": 1 }, "b": { "x": 2 } })).unwrap();
        assert_eq!(
            to_json(value, "").unwrap(),
            json!({ "a": { "x": 1 }, "b": { "x": 2 } })
        );
    }

    #[test]
    fn values_without_a_json_form_are_refused() {
        assert!(to_json(Avro::Double(f64::NAN), "x").is_err());
        assert!(to_json(Avro::Bytes(vec![1]), "x").is_err());
        assert!(convert(r#""bytes""#, json!("AQ==")).is_err());
    }
}
