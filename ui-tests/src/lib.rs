//! Compile-pass and compile-fail tests of typact; see `tests/ui.rs`.
