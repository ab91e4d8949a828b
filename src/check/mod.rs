//! The HA state machine and its invariants (one file per invariant).

pub mod model;
