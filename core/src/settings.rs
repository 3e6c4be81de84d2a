//! Settings (policies): instance defaults and org overrides (issue #4).
