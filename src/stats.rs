//! Checkpoint statistics with polars.
