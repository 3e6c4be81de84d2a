//! Queries on the project read model (issue #4).
