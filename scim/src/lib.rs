//! SCIM 2.0 service provider, outbound SCIM connectors and SIEM sinks.
//!
//! Nothing is implemented here yet: the work is tracked in issues #6 and #7. This crate exports
//! nothing.
