//! The project aggregate: projects, their roles, applications and project grants (issue #4).
