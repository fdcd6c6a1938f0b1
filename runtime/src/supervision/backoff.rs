//! [`Backoff`]: the delays between restarts of a child that keeps failing.

use std::time::Duration;

/// How long a supervisor waits before restarting a child that keeps failing.
///
/// The delay before the `n`th consecutive restart is `min * 2^(n-1)`, at
/// most `max`, then lengthened by a random fraction of itself of up to
/// `jitter`, and capped at `max` again. Jitter only adds, as in Akka's
/// `delay * (1 + random * factor)`: a restart never comes sooner than its
/// computed delay. A child that ran for `reset_after` without failing starts
/// again from `min`.
///
/// The default is `exponential(10 ms, 5 s)` with `jitter(0.2)` and
/// `reset_after(10 s)`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use typact::Backoff;
/// let b = Backoff::exponential(Duration::from_millis(10), Duration::from_secs(1));
/// assert_eq!(b.delay(1), Duration::from_millis(10));
/// assert_eq!(b.delay(3), Duration::from_millis(40));
/// assert_eq!(b.delay(30), Duration::from_secs(1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    jitter: f64,
    reset_after: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::exponential(Duration::from_millis(10), Duration::from_secs(5)).jitter(0.2)
    }
}

impl Backoff {
    /// No delay: restart at once, as OTP does.
    pub fn none() -> Self {
        Backoff {
            min: Duration::ZERO,
            max: Duration::ZERO,
            jitter: 0.0,
            reset_after: Duration::from_secs(10),
        }
    }

    /// Doubling delays from `min` up to `max`, without jitter.
    ///
    /// # Panics
    ///
    /// Panics if `min > max`.
    pub fn exponential(min: Duration, max: Duration) -> Self {
        assert!(
            min <= max,
            "backoff: `min` ({min:?}) must not exceed `max` ({max:?})"
        );
        Backoff {
            min,
            max,
            jitter: 0.0,
            reset_after: Duration::from_secs(10),
        }
    }

    /// Lengthens each delay by a random fraction of itself of up to
    /// `fraction` (clamped to `0.0..=1.0`; the result stays at most `max`),
    /// so that children failing together do not restart in lockstep.
    pub fn jitter(mut self, fraction: f64) -> Self {
        self.jitter = if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        self
    }

    /// How long a child must run without failing for its delays to start
    /// again from `min`.
    pub fn reset_after(mut self, healthy: Duration) -> Self {
        self.reset_after = healthy;
        self
    }

    /// How long a child must run without failing for its delays to start
    /// again from `min`; see [`reset_after`](Self::reset_after).
    pub fn reset_period(&self) -> Duration {
        self.reset_after
    }

    /// The delay before the `failures`th consecutive restart, without jitter:
    /// the least the supervisor waits.
    pub fn delay(&self, failures: u32) -> Duration {
        if failures == 0 || self.min.is_zero() {
            return Duration::ZERO;
        }
        let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(31));
        self.min.saturating_mul(factor).min(self.max)
    }

    /// The jitter fraction.
    pub fn jitter_fraction(&self) -> f64 {
        self.jitter
    }

    /// The delay before the `failures`th consecutive restart, jitter
    /// included: within `delay(failures)..=max`.
    pub fn jittered(&self, failures: u32) -> Duration {
        let base = self.delay(failures);
        if self.jitter == 0.0 || base.is_zero() {
            return base;
        }
        base.mul_f64(1.0 + self.jitter * random_unit())
            .min(self.max)
            .max(base)
    }
}

/// A random number in `[0, 1)`, from the standard library's per-process
/// random hasher keys; good enough to spread restarts.
fn random_unit() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_never_shortens_a_delay_and_never_passes_max() {
        let b = Backoff::exponential(Duration::from_millis(100), Duration::from_millis(700))
            .jitter(1.0);
        for failures in 1..=6 {
            let base = b.delay(failures);
            for _ in 0..1_000 {
                let d = b.jittered(failures);
                assert!(d >= base, "{d:?} < {base:?}");
                assert!(d <= Duration::from_millis(700), "{d:?}");
            }
        }
        // Some jitter happens at all.
        assert!((0..100).any(|_| b.jittered(1) > Duration::from_millis(100)));
    }
}
