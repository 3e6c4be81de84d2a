//! `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9) with the `returned`
//! characteristic (RFC 7643 §7).

use serde_json::{Map, Value};

use super::model::{Attribute, Returned};
use super::resource_type::{COMMON_ATTRIBUTES, Location, ResourceType};
use crate::protocol::path::AttrPath;

/// Splits a comma-separated `attributes`/`excludedAttributes` parameter, trimming blanks.
pub fn split_attribute_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// One entry of an attribute list: a whole schema (`urn:...:enterprise:2.0:User`) or a path.
enum Requested {
    Schema(Location),
    Path(Location, AttrPath),
}

/// How much of an attribute a list selects.
enum Pick {
    Whole,
    Subs(Vec<String>),
}

/// The resource as returned to the client. When `attributes` is non-empty only those attributes
/// (and `returned: always` ones: `id`, `schemas`) are kept; otherwise `returned: default` ones
/// are kept minus `excluded`, and `returned: request` ones are dropped. `returned: never`
/// attributes (`password`) are always dropped. Entries may be URN-qualified, name
/// sub-attributes (`name.givenName`) or a whole extension schema URN; unknown entries are
/// ignored, as are attributes the schema does not know (treated as `returned: default`).
pub fn project(
    resource: &Value,
    attributes: &[String],
    excluded: &[String],
    resource_type: &ResourceType,
) -> Value {
    let Some(object) = resource.as_object() else {
        return resource.clone();
    };
    let attributes = requests(attributes, resource_type);
    let excluded = requests(excluded, resource_type);
    let mut out = Map::new();
    for (key, value) in object {
        if let Some(schema) = resource_type.extension(key) {
            let location = Location::Extension(schema.id);
            let Some(inner) = value.as_object() else {
                continue;
            };
            let mut kept = Map::new();
            for (name, inner_value) in inner {
                let definition = schema.attribute(name);
                if let Some(v) = keep(
                    location,
                    name,
                    definition,
                    inner_value,
                    &attributes,
                    &excluded,
                ) {
                    kept.insert(name.clone(), v);
                }
            }
            if !kept.is_empty() {
                out.insert(key.clone(), Value::Object(kept));
            }
            continue;
        }
        let definition = resource_type.schema.attribute(key).or_else(|| {
            COMMON_ATTRIBUTES
                .iter()
                .find(|a| a.name.eq_ignore_ascii_case(key))
        });
        if let Some(v) = keep(
            Location::Core,
            key,
            definition,
            value,
            &attributes,
            &excluded,
        ) {
            out.insert(key.clone(), v);
        }
    }
    Value::Object(out)
}

fn requests(list: &[String], resource_type: &ResourceType) -> Vec<Requested> {
    list.iter()
        .filter_map(|entry| {
            if entry.eq_ignore_ascii_case(resource_type.schema.id) {
                return Some(Requested::Schema(Location::Core));
            }
            if let Some(schema) = resource_type.extension(entry) {
                return Some(Requested::Schema(Location::Extension(schema.id)));
            }
            let path = AttrPath::parse(entry).ok()?;
            let location = match path.urn.as_deref() {
                None => Location::Core,
                Some(urn) if urn.eq_ignore_ascii_case(resource_type.schema.id) => Location::Core,
                Some(urn) => Location::Extension(resource_type.extension(urn)?.id),
            };
            Some(Requested::Path(location, path))
        })
        .collect()
}

/// How much of attribute `name` at `location` the list selects, if anything.
fn pick(list: &[Requested], location: Location, name: &str) -> Option<Pick> {
    let mut subs = Vec::new();
    for entry in list {
        match entry {
            Requested::Schema(at) if *at == location => return Some(Pick::Whole),
            Requested::Path(at, path)
                if *at == location && path.name.eq_ignore_ascii_case(name) =>
            {
                match &path.sub {
                    None => return Some(Pick::Whole),
                    Some(sub) => subs.push(sub.clone()),
                }
            }
            _ => {}
        }
    }
    (!subs.is_empty()).then_some(Pick::Subs(subs))
}

fn keep(
    location: Location,
    name: &str,
    definition: Option<&Attribute>,
    value: &Value,
    attributes: &[Requested],
    excluded: &[Requested],
) -> Option<Value> {
    let returned = definition.map_or(Returned::Default, |d| d.returned);
    match returned {
        Returned::Never => None,
        Returned::Always => Some(filter_subs(value, definition, None, None)),
        Returned::Default | Returned::Request if !attributes.is_empty() => {
            match pick(attributes, location, name)? {
                Pick::Whole => Some(filter_subs(value, definition, None, None)),
                Pick::Subs(subs) => Some(filter_subs(value, definition, Some(&subs), None)),
            }
        }
        Returned::Request => None,
        Returned::Default => match pick(excluded, location, name) {
            Some(Pick::Whole) => None,
            Some(Pick::Subs(subs)) => Some(filter_subs(value, definition, None, Some(&subs))),
            None => Some(filter_subs(value, definition, None, None)),
        },
    }
}

/// Applies sub-attribute selection to a complex value (or each element of a multi-valued one):
/// keeps only `only` (plus `returned: always` subs) when given, drops `drop`, and always drops
/// `returned: never` subs.
fn filter_subs(
    value: &Value,
    definition: Option<&Attribute>,
    only: Option<&[String]>,
    drop: Option<&[String]>,
) -> Value {
    match value {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| filter_subs(item, definition, only, drop))
                .collect(),
        ),
        Value::Object(map) => {
            let named = |list: Option<&[String]>, key: &str| {
                list.is_some_and(|l| l.iter().any(|n| n.eq_ignore_ascii_case(key)))
            };
            let kept = map
                .iter()
                .filter(|(key, _)| {
                    let returned = definition
                        .and_then(|d| d.sub_attribute(key))
                        .map_or(Returned::Default, |s| s.returned);
                    match returned {
                        Returned::Never => false,
                        Returned::Always => true,
                        Returned::Default | Returned::Request => {
                            only.is_none_or(|_| named(only, key)) && !named(drop, key)
                        }
                    }
                })
                .map(|(key, v)| (key.clone(), v.clone()))
                .collect();
            Value::Object(kept)
        }
        other => other.clone(),
    }
}
