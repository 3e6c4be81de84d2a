//! Proto3 JSON as ZITADEL's services speak it: field names, nulls, 64-bit integers, enums,
//! timestamps and durations. Every service's wire types build on these.

pub mod duration;
pub mod json;
pub mod normalize;
pub mod timestamp;

pub use duration::ProtoDuration;
pub use json::{
    ChangeDateResponse, CreationDateResponse, DeletionDateResponse, Details, ListDetails,
    ListQuery, PaginationRequest, PaginationResponse, int32, int64,
};
pub use timestamp::ProtoTimestamp;
