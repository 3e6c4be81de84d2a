//! Proto-JSON helpers and shared messages (`zitadel.object.v2`, `zitadel.filter.v2`).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

pub use super::duration::ProtoDuration;
pub use super::timestamp::{ProtoTimestamp, TimestampError};

// ---------------------------------------------------------------------------
// oneof
// ---------------------------------------------------------------------------

/// More than one member of a proto `oneof` was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneofError {
    /// Full proto name of the message that holds the oneof.
    pub message: &'static str,
    /// Proto name of the oneof.
    pub oneof: &'static str,
    /// JSON names of the members that were set.
    pub members: Vec<&'static str>,
}

impl fmt::Display for OneofError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: oneof `{}` has more than one member set ({})",
            self.message,
            self.oneof,
            self.members.join(", ")
        )
    }
}

impl std::error::Error for OneofError {}

/// Collects the set members of one oneof.
pub(crate) struct Oneof<T> {
    message: &'static str,
    oneof: &'static str,
    first: Option<T>,
    members: Vec<&'static str>,
}

impl<T> Oneof<T> {
    pub(crate) fn new(message: &'static str, oneof: &'static str) -> Self {
        Self {
            message,
            oneof,
            first: None,
            members: Vec::new(),
        }
    }

    /// Records member `json_name` if `value` is set.
    pub(crate) fn member(mut self, json_name: &'static str, value: Option<T>) -> Self {
        if let Some(v) = value {
            self.members.push(json_name);
            if self.first.is_none() {
                self.first = Some(v);
            }
        }
        self
    }

    /// The single member set (or `None`), or an error if several are set.
    pub(crate) fn finish(self) -> Result<Option<T>, OneofError> {
        if self.members.len() > 1 {
            return Err(OneofError {
                message: self.message,
                oneof: self.oneof,
                members: self.members,
            });
        }
        Ok(self.first)
    }
}

// ---------------------------------------------------------------------------
// default / null handling
// ---------------------------------------------------------------------------

/// proto-JSON treats `null` as the field's default value.
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

pub(crate) fn is_false(v: &bool) -> bool {
    !*v
}

pub(crate) fn is_zero_u64(v: &u64) -> bool {
    *v == 0
}

pub(crate) fn is_zero_u32(v: &u32) -> bool {
    *v == 0
}

// ---------------------------------------------------------------------------
// integers
// ---------------------------------------------------------------------------

/// Integer types proto-JSON reads from a JSON number or a decimal string.
pub trait ProtoInt: Copy + Default + fmt::Display {
    /// Proto scalar name, for error messages.
    const PROTO_TYPE: &'static str;
    /// Converts if in range.
    fn from_i128(v: i128) -> Option<Self>;
}

macro_rules! impl_proto_int {
    ($($t:ty => $name:literal),* $(,)?) => {$(
        impl ProtoInt for $t {
            const PROTO_TYPE: &'static str = $name;
            fn from_i128(v: i128) -> Option<Self> {
                <$t>::try_from(v).ok()
            }
        }
    )*};
}

impl_proto_int!(i32 => "int32", u32 => "uint32", i64 => "int64", u64 => "uint64");

/// An integral, finite float as an integer.
fn integral_f64(v: f64) -> Option<i128> {
    // 2^64: anything at or above it is out of range for every proto integer.
    const LIMIT: f64 = 18_446_744_073_709_551_616.0;
    if v.is_finite() && v.trunc() == v && v.abs() < LIMIT {
        #[allow(clippy::cast_possible_truncation)]
        Some(v as i128)
    } else {
        None
    }
}

/// Parses the content of a quoted proto-JSON integer: a JSON number literal that is
/// integral (plain decimal exactly; exponent/fraction forms through `f64`).
fn parse_int_str(s: &str) -> Option<i128> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if digits.len() > 1 && digits.starts_with('0') || digits.len() > 30 {
            return None;
        }
        return s.parse::<i128>().ok();
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
    {
        return None;
    }
    let n: serde_json::Number = serde_json::from_str(s).ok()?;
    if let Some(i) = n.as_i64() {
        return Some(i128::from(i));
    }
    if let Some(u) = n.as_u64() {
        return Some(i128::from(u));
    }
    n.as_f64().and_then(integral_f64)
}

struct IntVisitor<T>(PhantomData<T>);

impl<T: ProtoInt> Visitor<'_> for IntVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} as a JSON number or decimal string", T::PROTO_TYPE)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::from_i128(i128::from(v))
            .ok_or_else(|| E::custom(format_args!("{v} is out of range for {}", T::PROTO_TYPE)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::from_i128(i128::from(v))
            .ok_or_else(|| E::custom(format_args!("{v} is out of range for {}", T::PROTO_TYPE)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        integral_f64(v)
            .and_then(T::from_i128)
            .ok_or_else(|| E::custom(format_args!("{v} is not a valid {}", T::PROTO_TYPE)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        parse_int_str(v)
            .and_then(T::from_i128)
            .ok_or_else(|| E::custom(format_args!("{v:?} is not a valid {}", T::PROTO_TYPE)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }
}

/// `int64`/`uint64`: a JSON string on output; string or number on input.
pub mod int64 {
    use super::{Deserializer, IntVisitor, PhantomData, ProtoInt, Serializer};

    /// Writes the integer as a decimal JSON string.
    pub fn serialize<T: ProtoInt, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    /// Reads a JSON number, a decimal string, or `null` (zero).
    pub fn deserialize<'de, T: ProtoInt, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        d.deserialize_any(IntVisitor(PhantomData))
    }
}

/// `int32`/`uint32`: a JSON number on output; number or string on input.
pub mod int32 {
    use super::{Deserializer, IntVisitor, PhantomData, ProtoInt, Serializer};

    /// Writes the integer as a JSON number.
    pub fn serialize<T: ProtoInt + Into<i64>, S: Serializer>(
        v: &T,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_i64((*v).into())
    }

    /// Reads a JSON number, a decimal string, or `null` (zero).
    pub fn deserialize<'de, T: ProtoInt, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        d.deserialize_any(IntVisitor(PhantomData))
    }
}

// ---------------------------------------------------------------------------
// bytes
// ---------------------------------------------------------------------------

/// `bytes`: standard padded base64 on output; standard or URL-safe, padded or not, on input.
pub mod bytes_b64 {
    use base64::Engine as _;
    use base64::alphabet;
    use base64::engine::general_purpose::STANDARD;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use serde::{Deserialize, Deserializer, Serializer, de};

    const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
    const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

    /// Encodes standard base64 with padding.
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(v))
    }

    /// Decodes either alphabet (chosen like protojson: URL-safe if `-` or `_` occur).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let Some(text) = Option::<String>::deserialize(d)? else {
            return Ok(Vec::new());
        };
        let engine = if text.contains(['-', '_']) {
            &URL_SAFE_LENIENT
        } else {
            &STANDARD_LENIENT
        };
        engine.decode(text.as_bytes()).map_err(de::Error::custom)
    }
}

// ---------------------------------------------------------------------------
// enums
// ---------------------------------------------------------------------------

/// A proto enum: JSON string name on output; name or number on input.
pub trait ProtoEnum: Copy + Default + 'static {
    /// Full proto name of the enum.
    const PROTO_NAME: &'static str;
    /// All value names, in declaration order.
    const NAMES: &'static [&'static str];
    /// Looks a value up by its name.
    fn by_name(name: &str) -> Option<Self>;
    /// Looks a value up by its number.
    fn by_number(number: i32) -> Option<Self>;
}

struct EnumVisitor<T>(PhantomData<T>);

impl<T: ProtoEnum> Visitor<'_> for EnumVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} value name or number", T::PROTO_NAME)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        T::by_name(v).ok_or_else(|| E::unknown_variant(v, T::NAMES))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        i32::try_from(v)
            .ok()
            .and_then(T::by_number)
            .ok_or_else(|| E::custom(format_args!("unknown {} number {v}", T::PROTO_NAME)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        i32::try_from(v)
            .ok()
            .and_then(T::by_number)
            .ok_or_else(|| E::custom(format_args!("unknown {} number {v}", T::PROTO_NAME)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        integral_f64(v)
            .and_then(|n| i32::try_from(n).ok())
            .and_then(T::by_number)
            .ok_or_else(|| E::custom(format_args!("unknown {} number {v}", T::PROTO_NAME)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }
}

/// Deserializes any [`ProtoEnum`] (used by [`proto_enum!`]).
pub fn deserialize_enum<'de, T: ProtoEnum, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    d.deserialize_any(EnumVisitor(PhantomData))
}

/// Declares a proto enum with its proto-JSON serde impls. The first value must be the
/// zero value (it becomes `Default`). Exported so that the services of other crates (castellan-oidc)
/// declare their enums the same way.
#[macro_export]
macro_rules! proto_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident = $proto:literal {
            $(#[$zmeta:meta])* $zero:ident = 0 => $zero_json:literal,
            $( $(#[$vmeta:meta])* $variant:ident = $num:literal => $json:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub enum $name {
            $(#[$zmeta])*
            #[default]
            $zero,
            $( $(#[$vmeta])* $variant, )*
        }

        impl $name {
            /// The proto value name (its JSON form).
            pub const fn as_str_name(self) -> &'static str {
                match self { Self::$zero => $zero_json, $( Self::$variant => $json, )* }
            }
            /// The proto value number.
            pub const fn number(self) -> i32 {
                match self { Self::$zero => 0, $( Self::$variant => $num, )* }
            }
            /// Looks a value up by its proto name.
            pub fn from_str_name(name: &str) -> Option<Self> {
                match name {
                    $zero_json => Some(Self::$zero),
                    $( $json => Some(Self::$variant), )*
                    _ => None,
                }
            }
            /// Looks a value up by its proto number.
            pub const fn from_number(number: i32) -> Option<Self> {
                match number { 0 => Some(Self::$zero), $( $num => Some(Self::$variant), )* _ => None }
            }
            /// Whether this is the zero value (omitted on output).
            pub const fn is_default(&self) -> bool {
                matches!(self, Self::$zero)
            }
        }

        impl $crate::proto::json::ProtoEnum for $name {
            const PROTO_NAME: &'static str = $proto;
            const NAMES: &'static [&'static str] = &[$zero_json, $( $json, )*];
            fn by_name(name: &str) -> Option<Self> {
                Self::from_str_name(name)
            }
            fn by_number(number: i32) -> Option<Self> {
                Self::from_number(number)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str_name())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str_name())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::proto::json::deserialize_enum(d)
            }
        }
    };
}

pub use crate::proto_enum;

proto_enum! {
    /// Mirrors `zitadel.object.v2.TextQueryMethod`.
    pub enum TextQueryMethod = "zitadel.object.v2.TextQueryMethod" {
        Equals = 0 => "TEXT_QUERY_METHOD_EQUALS",
        EqualsIgnoreCase = 1 => "TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE",
        StartsWith = 2 => "TEXT_QUERY_METHOD_STARTS_WITH",
        StartsWithIgnoreCase = 3 => "TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE",
        Contains = 4 => "TEXT_QUERY_METHOD_CONTAINS",
        ContainsIgnoreCase = 5 => "TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE",
        EndsWith = 6 => "TEXT_QUERY_METHOD_ENDS_WITH",
        EndsWithIgnoreCase = 7 => "TEXT_QUERY_METHOD_ENDS_WITH_IGNORE_CASE",
    }
}

proto_enum! {
    /// Mirrors `zitadel.filter.v2.TextFilterMethod`.
    pub enum TextFilterMethod = "zitadel.filter.v2.TextFilterMethod" {
        Equals = 0 => "TEXT_FILTER_METHOD_EQUALS",
        EqualsIgnoreCase = 1 => "TEXT_FILTER_METHOD_EQUALS_IGNORE_CASE",
        StartsWith = 2 => "TEXT_FILTER_METHOD_STARTS_WITH",
        StartsWithIgnoreCase = 3 => "TEXT_FILTER_METHOD_STARTS_WITH_IGNORE_CASE",
        Contains = 4 => "TEXT_FILTER_METHOD_CONTAINS",
        ContainsIgnoreCase = 5 => "TEXT_FILTER_METHOD_CONTAINS_IGNORE_CASE",
        EndsWith = 6 => "TEXT_FILTER_METHOD_ENDS_WITH",
        EndsWithIgnoreCase = 7 => "TEXT_FILTER_METHOD_ENDS_WITH_IGNORE_CASE",
    }
}

// ---------------------------------------------------------------------------
// shared messages
// ---------------------------------------------------------------------------

/// Mirrors `zitadel.object.v2.Details`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Details {
    /// uint64.
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_u64")]
    pub sequence: u64,
    #[serde(
        default,
        alias = "change_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub change_date: Option<ProtoTimestamp>,
    #[serde(
        default,
        alias = "resource_owner",
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub resource_owner: String,
}

/// Mirrors `zitadel.object.v2.ListDetails`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListDetails {
    #[serde(
        default,
        alias = "total_result",
        with = "int64",
        skip_serializing_if = "is_zero_u64"
    )]
    pub total_result: u64,
    #[serde(
        default,
        alias = "processed_sequence",
        with = "int64",
        skip_serializing_if = "is_zero_u64"
    )]
    pub processed_sequence: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<ProtoTimestamp>,
}

/// Mirrors `zitadel.object.v2.ListQuery` (offset/limit/asc).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    /// uint64.
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_u64")]
    pub offset: u64,
    /// uint32; 0 means the server default.
    #[serde(default, with = "int32", skip_serializing_if = "is_zero_u32")]
    pub limit: u32,
    /// Ascending if true; default descending.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "is_false"
    )]
    pub asc: bool,
}

/// Mirrors `zitadel.filter.v2.PaginationRequest` (same shape as [`ListQuery`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaginationRequest {
    /// uint64.
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_u64")]
    pub offset: u64,
    /// uint32; 0 means the server default.
    #[serde(default, with = "int32", skip_serializing_if = "is_zero_u32")]
    pub limit: u32,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "is_false"
    )]
    pub asc: bool,
}

/// Mirrors `zitadel.filter.v2.PaginationResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaginationResponse {
    /// uint64: matches regardless of limit.
    #[serde(
        default,
        alias = "total_result",
        with = "int64",
        skip_serializing_if = "is_zero_u64"
    )]
    pub total_result: u64,
    /// uint64: the limit that was applied.
    #[serde(
        default,
        alias = "applied_limit",
        with = "int64",
        skip_serializing_if = "is_zero_u64"
    )]
    pub applied_limit: u64,
}

/// A response carrying only when a change happened (`{Update,Deactivate,…}…Response` of many
/// services).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeDateResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_date: Option<ProtoTimestamp>,
}

/// A response carrying only when something was created.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreationDateResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
}

/// A response carrying only when something was deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletionDateResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_date: Option<ProtoTimestamp>,
}

impl From<TextQueryMethod> for castellan_readers::queries::TextMatch {
    fn from(method: TextQueryMethod) -> Self {
        use castellan_readers::queries::TextMatch as M;
        match method {
            TextQueryMethod::Equals => M::Equals,
            TextQueryMethod::EqualsIgnoreCase => M::EqualsIgnoreCase,
            TextQueryMethod::StartsWith => M::StartsWith,
            TextQueryMethod::StartsWithIgnoreCase => M::StartsWithIgnoreCase,
            TextQueryMethod::Contains => M::Contains,
            TextQueryMethod::ContainsIgnoreCase => M::ContainsIgnoreCase,
            TextQueryMethod::EndsWith => M::EndsWith,
            TextQueryMethod::EndsWithIgnoreCase => M::EndsWithIgnoreCase,
        }
    }
}

impl From<TextFilterMethod> for castellan_readers::queries::TextMatch {
    fn from(method: TextFilterMethod) -> Self {
        use castellan_readers::queries::TextMatch as M;
        match method {
            TextFilterMethod::Equals => M::Equals,
            TextFilterMethod::EqualsIgnoreCase => M::EqualsIgnoreCase,
            TextFilterMethod::StartsWith => M::StartsWith,
            TextFilterMethod::StartsWithIgnoreCase => M::StartsWithIgnoreCase,
            TextFilterMethod::Contains => M::Contains,
            TextFilterMethod::ContainsIgnoreCase => M::ContainsIgnoreCase,
            TextFilterMethod::EndsWith => M::EndsWith,
            TextFilterMethod::EndsWithIgnoreCase => M::EndsWithIgnoreCase,
        }
    }
}
