//! Runs the compile-pass and compile-fail cases under `pass/` and `fail/`.
//!
//! The `.stderr` files hold rustc's exact output and follow the compiler
//! version; see the crate's README for how to regenerate and review them.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("pass/*.rs");
    t.compile_fail("fail/*/*.rs");
}
