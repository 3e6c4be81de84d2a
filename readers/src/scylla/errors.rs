//! Driver errors to read-store errors: what a retry may cure (no connection, timeouts, overload) is
//! `Unavailable`; everything else (bad CQL, schema mismatch, undecodable data) is `Backend`.

use scylla::errors::{
    ConnectionPoolError, DbError, ExecutionError, NewSessionError, NextPageError, NextRowError,
    PagerExecutionError, PrepareError, RequestAttemptError, RequestError, SchemaAgreementError,
};

use crate::store::ReadError;

pub(super) fn classify(unavailable: bool, error: impl std::fmt::Display) -> ReadError {
    if unavailable {
        ReadError::Unavailable(format!("cassandra: {error}"))
    } else {
        ReadError::Backend(format!("cassandra: {error}"))
    }
}

pub(super) fn db_unavailable(error: &DbError) -> bool {
    matches!(
        error,
        DbError::Unavailable { .. }
            | DbError::Overloaded
            | DbError::IsBootstrapping
            | DbError::ReadTimeout { .. }
            | DbError::WriteTimeout { .. }
            | DbError::RateLimitReached { .. }
    )
}

pub(super) fn attempt_unavailable(error: &RequestAttemptError) -> bool {
    match error {
        RequestAttemptError::BrokenConnectionError(_)
        | RequestAttemptError::UnableToAllocStreamId => true,
        RequestAttemptError::DbError(db, _) => db_unavailable(db),
        _ => false,
    }
}

pub(super) fn pool_unavailable(_: &ConnectionPoolError) -> bool {
    true
}

pub(super) fn prepare_unavailable(error: &PrepareError) -> bool {
    match error {
        PrepareError::ConnectionPoolError(pool) => pool_unavailable(pool),
        PrepareError::AllAttemptsFailed { first_attempt } => attempt_unavailable(first_attempt),
        _ => false,
    }
}

pub(super) fn request_unavailable(error: &RequestError) -> bool {
    match error {
        RequestError::EmptyPlan
        | RequestError::ConnectionPoolError(_)
        | RequestError::RequestTimeout(_) => true,
        RequestError::LastAttemptError(attempt) => attempt_unavailable(attempt),
        _ => false,
    }
}

pub(super) fn schema_agreement_unavailable(error: &SchemaAgreementError) -> bool {
    match error {
        SchemaAgreementError::ConnectionPoolError(_)
        | SchemaAgreementError::Timeout(_)
        | SchemaAgreementError::RequiredHostAbsent(_) => true,
        SchemaAgreementError::PrepareError(prepare) => prepare_unavailable(prepare),
        SchemaAgreementError::RequestError(attempt) => attempt_unavailable(attempt),
        _ => false,
    }
}

pub(super) fn next_page_unavailable(error: &NextPageError) -> bool {
    match error {
        NextPageError::RequestFailure(request) => request_unavailable(request),
        _ => false,
    }
}

pub(super) fn execution(error: ExecutionError) -> ReadError {
    let unavailable = match &error {
        ExecutionError::EmptyPlan
        | ExecutionError::ConnectionPoolError(_)
        | ExecutionError::RequestTimeout(_)
        | ExecutionError::MetadataError(_) => true,
        ExecutionError::LastAttemptError(attempt) => attempt_unavailable(attempt),
        ExecutionError::PrepareError(prepare) => prepare_unavailable(prepare),
        ExecutionError::SchemaAgreementError(agreement) => schema_agreement_unavailable(agreement),
        _ => false,
    };
    classify(unavailable, error)
}

pub(super) fn prepare(error: PrepareError) -> ReadError {
    classify(prepare_unavailable(&error), error)
}

pub(super) fn pager(error: PagerExecutionError) -> ReadError {
    let unavailable = match &error {
        PagerExecutionError::PrepareError(prepare) => prepare_unavailable(prepare),
        PagerExecutionError::NextPageError(page) => next_page_unavailable(page),
        PagerExecutionError::SchemaAgreementError(agreement) => {
            schema_agreement_unavailable(agreement)
        }
        PagerExecutionError::MetadataError(_) => true,
        _ => false,
    };
    classify(unavailable, error)
}

pub(super) fn next_row(error: NextRowError) -> ReadError {
    let unavailable = match &error {
        NextRowError::NextPageError(page) => next_page_unavailable(page),
        _ => false,
    };
    classify(unavailable, error)
}

pub(super) fn schema_agreement(error: SchemaAgreementError) -> ReadError {
    classify(schema_agreement_unavailable(&error), error)
}

pub(super) fn new_session(error: NewSessionError) -> ReadError {
    let unavailable = matches!(
        error,
        NewSessionError::FailedToResolveAnyHostname(_) | NewSessionError::MetadataError(_)
    );
    classify(unavailable, error)
}

pub(super) fn decode(error: impl std::fmt::Display) -> ReadError {
    ReadError::Backend(format!("cassandra: undecodable result: {error}"))
}
