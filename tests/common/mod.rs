//! Helpers shared by the conformance and failure-path tests.

use std::future::IntoFuture;
use std::sync::Once;
use std::time::Duration;

/// Keeps the expected panics out of the output: those whose message says
/// "on purpose", and those with a payload that is not a string (which only
/// these tests throw). Every other panic is reported as usual.
#[allow(
    dead_code,
    reason = "not every test file that shares these helpers crashes actors"
)]
pub(crate) fn quiet() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let msg = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("");
            if !msg.contains("on purpose") && !msg.is_empty() {
                default(info);
            }
        }));
    });
}

/// Awaits `fut`, failing the test if it has not finished after 10 s: the
/// guard against a hang, not a timing assertion.
pub(crate) async fn within<T>(what: &str, fut: impl IntoFuture<Output = T>) -> T {
    match tokio::time::timeout(Duration::from_secs(10), fut.into_future()).await {
        Ok(out) => out,
        Err(_) => panic!("{what}: still pending after 10 s (a hang)"),
    }
}
