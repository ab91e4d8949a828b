//! Wiring input, envelope and grammar into one time-ordered event stream.
