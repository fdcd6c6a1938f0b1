//! [`Autoscale`]: how many workers a pool runs, and when it changes that
//! number; [`Scaler`]: the decision taken at every sample.

use std::time::Duration;

use tokio::time::Instant;

/// The bounds and the hysteresis of a pool that grows with its load.
///
/// At every sample (every [`sample_every`](Self::sample_every)) the pool
/// takes the mean number of messages waiting per worker: those in its own
/// mailbox and those in its workers' mailboxes, divided by the number of
/// workers that get new messages.
///
/// - It adds one worker when the mean has stayed above
///   [`grow_above`](Self::grow_above) at every sample for
///   [`grow_after`](Self::grow_after), then waits another such window
///   before the next one (Ray Serve's `target_ongoing_requests` with its
///   upscale delay).
/// - It retires one worker when the mean has stayed at or below
///   [`idle_at_most`](Self::idle_at_most) (by default 0: nothing waiting
///   anywhere) for [`shrink_after`](Self::shrink_after), and then waits
///   another such window. A retired worker gets no new message and stops
///   only once its mailbox is empty, so nothing it was given is lost.
/// - It never runs fewer than `min` or more than `max` workers; a worker
///   that stops for good (a temporary one that failed, say) is replaced to
///   keep `min`.
///
/// A load that hovers around `grow_above` resets the grow window each
/// time it dips, and one between the two thresholds resets both: the pool
/// does not flap.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use typact::Autoscale;
///
/// let scale = Autoscale::new(1, 8)
///     .grow_above(4.0)
///     .grow_after(Duration::from_millis(500))
///     .shrink_after(Duration::from_secs(10));
/// assert_eq!((scale.min(), scale.max()), (1, 8));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Autoscale {
    min: usize,
    initial: usize,
    max: usize,
    grow_above: f64,
    idle_at_most: f64,
    grow_after: Duration,
    shrink_after: Duration,
    sample_every: Duration,
}

impl Autoscale {
    /// Between `min` and `max` workers, with the defaults: grow when more
    /// than 1 message waits per worker for 1 second, shrink after 5
    /// seconds with nothing waiting, a sample every 100 ms.
    ///
    /// # Panics
    ///
    /// Panics if `min` is 0 or larger than `max`.
    pub fn new(min: usize, max: usize) -> Self {
        assert!(min > 0, "a pool needs at least one worker");
        assert!(
            min <= max,
            "a pool's `min` ({min}) exceeds its `max` ({max})"
        );
        Autoscale {
            min,
            initial: min,
            max,
            grow_above: 1.0,
            idle_at_most: 0.0,
            grow_after: Duration::from_secs(1),
            shrink_after: Duration::from_secs(5),
            sample_every: Duration::from_millis(100),
        }
    }

    /// A pool of exactly `n` workers: no autoscaling, but a worker that
    /// stops for good is still replaced.
    ///
    /// # Panics
    ///
    /// Panics if `n` is 0.
    pub fn fixed(n: usize) -> Self {
        Autoscale::new(n, n)
    }

    /// Grows when the mean number of waiting messages per worker is above
    /// `threshold`. Default 1.
    ///
    /// # Panics
    ///
    /// Panics if `threshold` is not above [`idle_at_most`](Self::idle_at_most)
    /// (the two thresholds are the hysteresis).
    pub fn grow_above(mut self, threshold: f64) -> Self {
        assert!(
            threshold > self.idle_at_most,
            "`grow_above` must be above `idle_at_most`"
        );
        self.grow_above = threshold;
        self
    }

    /// Shrinks when the mean number of waiting messages per worker is at
    /// most `threshold`. Default 0 (nothing waiting).
    ///
    /// # Panics
    ///
    /// Panics if `threshold` is negative or not below
    /// [`grow_above`](Self::grow_above).
    pub fn idle_at_most(mut self, threshold: f64) -> Self {
        assert!(
            (0.0..self.grow_above).contains(&threshold),
            "`idle_at_most` must be at least 0 and below `grow_above`"
        );
        self.idle_at_most = threshold;
        self
    }

    /// How long the load must stay above the threshold before a worker is
    /// added. Default 1 second.
    pub fn grow_after(mut self, window: Duration) -> Self {
        self.grow_after = window;
        self
    }

    /// How long the pool must stay idle before a worker is retired.
    /// Default 5 seconds.
    pub fn shrink_after(mut self, window: Duration) -> Self {
        self.shrink_after = window;
        self
    }

    /// How often the pool looks at its workers' mailboxes. Default 100 ms.
    ///
    /// # Panics
    ///
    /// Panics if `every` is zero.
    pub fn sample_every(mut self, every: Duration) -> Self {
        assert!(!every.is_zero(), "the sampling period must not be zero");
        self.sample_every = every;
        self
    }

    /// How many workers the pool starts with (Akka's initial size).
    /// Default `min`.
    ///
    /// # Panics
    ///
    /// Panics if `n` is not between `min` and `max`.
    pub fn initial(mut self, n: usize) -> Self {
        assert!(
            (self.min..=self.max).contains(&n),
            "a pool's initial size ({n}) must be between its `min` ({}) and `max` ({})",
            self.min,
            self.max
        );
        self.initial = n;
        self
    }

    /// How many workers the pool starts with.
    pub fn initial_size(&self) -> usize {
        self.initial
    }

    /// The fewest workers.
    pub fn min(&self) -> usize {
        self.min
    }

    /// The most workers.
    pub fn max(&self) -> usize {
        self.max
    }

    /// The sampling period.
    pub(crate) fn period(&self) -> Duration {
        self.sample_every
    }
}

/// What a sample decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    Grow,
    Shrink,
    Hold,
}

/// The windows of an [`Autoscale`], as the samples come in.
#[derive(Debug)]
pub(crate) struct Scaler {
    config: Autoscale,
    /// Since when every sample was above `grow_above`.
    above_since: Option<Instant>,
    /// Since when every sample was at most `idle_at_most`.
    idle_since: Option<Instant>,
}

impl Scaler {
    pub(crate) fn new(config: Autoscale) -> Self {
        Scaler {
            config,
            above_since: None,
            idle_since: None,
        }
    }

    pub(crate) fn config(&self) -> &Autoscale {
        &self.config
    }

    /// One sample: the mean waiting messages per worker, with `workers`
    /// running or starting.
    pub(crate) fn sample(&mut self, mean: f64, workers: usize, now: Instant) -> Decision {
        let c = &self.config;
        if mean > c.grow_above {
            self.idle_since = None;
            let since = *self.above_since.get_or_insert(now);
            if now.duration_since(since) >= c.grow_after && workers < c.max {
                self.above_since = Some(now);
                return Decision::Grow;
            }
        } else {
            self.above_since = None;
            if mean <= c.idle_at_most {
                let since = *self.idle_since.get_or_insert(now);
                if now.duration_since(since) >= c.shrink_after && workers > c.min {
                    self.idle_since = Some(now);
                    return Decision::Shrink;
                }
            } else {
                self.idle_since = None;
            }
        }
        Decision::Hold
    }
}
