//! Template language.
