//! Syslog over TLS (RFC 5425) with a private certificate authority.
