//! Line layouts.
