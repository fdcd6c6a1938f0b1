//! What the suite measures: frameworks, runtimes, mailboxes, benchmarks, their
//! metrics and sizes, and which combinations a framework cannot express.

use std::fmt;

/// The capacity of every bounded mailbox in the suite, typact's default.
pub(crate) const CAPACITY: usize = 1024;

/// The capacity of the small bounded mailboxes of the messaging rows,
/// kameo's default.
pub(crate) const SMALL_CAPACITY: usize = 64;

/// An actor framework, or the raw tokio baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Framework {
    /// One tokio task draining a tokio mpsc channel, oneshot for replies.
    Tokio,
    Typact,
    Kameo,
    Ractor,
    Actix,
    Xtra,
}

impl Framework {
    /// In table order; the baseline first.
    pub(crate) const ALL: [Framework; 6] = [
        Framework::Tokio,
        Framework::Typact,
        Framework::Kameo,
        Framework::Ractor,
        Framework::Actix,
        Framework::Xtra,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Framework::Tokio => "tokio",
            Framework::Typact => "typact",
            Framework::Kameo => "kameo",
            Framework::Ractor => "ractor",
            Framework::Actix => "actix",
            Framework::Xtra => "xtra",
        }
    }

    pub(crate) fn parse(name: &str) -> Option<Framework> {
        Framework::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Why this framework cannot run `bench` with `mailbox`, if it cannot.
    pub(crate) fn unsupported(self, bench: Bench, mailbox: Mailbox) -> Option<&'static str> {
        if bench == Bench::Pool && !matches!(self, Framework::Tokio | Framework::Typact) {
            return Some("the pool row compares typact's Pool with hand-rolled tokio tasks only");
        }
        match (self, mailbox) {
            (Framework::Ractor, Mailbox::Bounded | Mailbox::Small) => {
                Some("ractor has unbounded mailboxes only")
            }
            // actix's only tell (`do_send`) ignores the mailbox's capacity, and
            // its only ask (`send`) respects it: the unbounded row uses the
            // first, the bounded row the second.
            (Framework::Actix, Mailbox::Bounded | Mailbox::Small) if !bench.asks_only() => {
                Some("actix has no tell that waits for mailbox room")
            }
            (Framework::Actix, Mailbox::Unbounded) if bench.asks_only() => {
                Some("actix asks always go through its bounded mailbox")
            }
            _ => None,
        }
    }
}

impl fmt::Display for Framework {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which tokio runtime runs the actors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Runtime {
    /// `new_multi_thread().worker_threads(2)`; actix: two arbiters.
    MultiThread,
    /// `new_current_thread()`; actix: its `System` alone.
    CurrentThread,
}

impl Runtime {
    pub(crate) const ALL: [Runtime; 2] = [Runtime::MultiThread, Runtime::CurrentThread];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Runtime::MultiThread => "multi_thread",
            Runtime::CurrentThread => "current_thread",
        }
    }

    pub(crate) fn parse(name: &str) -> Option<Runtime> {
        Runtime::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// Bounded (capacity [`CAPACITY`], or [`SMALL_CAPACITY`] on the messaging
/// rows) or unbounded mailboxes, for every actor of a benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mailbox {
    /// Capacity [`CAPACITY`].
    Bounded,
    /// Capacity [`SMALL_CAPACITY`]; the messaging rows only (see
    /// [`Bench::mailboxes`]).
    Small,
    Unbounded,
}

impl Mailbox {
    /// In table order.
    pub(crate) const ALL: [Mailbox; 3] = [Mailbox::Bounded, Mailbox::Small, Mailbox::Unbounded];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Mailbox::Bounded => "bounded",
            Mailbox::Small => "bounded_64",
            Mailbox::Unbounded => "unbounded",
        }
    }

    /// The capacity of a bounded mailbox; `None` for unbounded.
    pub(crate) fn capacity(self) -> Option<usize> {
        match self {
            Mailbox::Bounded => Some(CAPACITY),
            Mailbox::Small => Some(SMALL_CAPACITY),
            Mailbox::Unbounded => None,
        }
    }

    pub(crate) fn parse(name: &str) -> Option<Mailbox> {
        Mailbox::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// The unit of a metric, which also says which way is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unit {
    /// Messages handled per second.
    MsgPerSec,
    /// Actors created and done per second.
    ActorsPerSec,
    /// Chameneos meetings per second.
    MeetingsPerSec,
    /// Microseconds.
    Micros,
    /// Milliseconds.
    Millis,
    /// Bytes.
    Bytes,
}

impl Unit {
    /// As written in the CSV.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Unit::MsgPerSec => "msg/s",
            Unit::ActorsPerSec => "actors/s",
            Unit::MeetingsPerSec => "meetings/s",
            Unit::Micros => "us",
            Unit::Millis => "ms",
            Unit::Bytes => "bytes",
        }
    }

    /// Rates are better high; times and bytes are better low.
    pub(crate) fn higher_is_better(self) -> bool {
        matches!(
            self,
            Unit::MsgPerSec | Unit::ActorsPerSec | Unit::MeetingsPerSec
        )
    }
}

/// One figure a benchmark reports: one row of the table per runtime and
/// mailbox.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Metric {
    /// The `benchmark` column of the CSV.
    pub(crate) key: &'static str,
    /// As shown in the markdown table and the chart.
    pub(crate) title: &'static str,
    pub(crate) unit: Unit,
}

/// A benchmark: one piece of work, run for every framework.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bench {
    PingPong,
    Counting,
    ThreadRing,
    ForkJoinThroughput,
    ForkJoinCreate,
    Big,
    Chameneos,
    AskLatency,
    Spawn,
    Pool,
    FanIn,
    MillionIdle,
}

impl Bench {
    pub(crate) const ALL: [Bench; 12] = [
        Bench::PingPong,
        Bench::Counting,
        Bench::FanIn,
        Bench::ThreadRing,
        Bench::ForkJoinThroughput,
        Bench::ForkJoinCreate,
        Bench::Big,
        Bench::Chameneos,
        Bench::AskLatency,
        Bench::Spawn,
        Bench::MillionIdle,
        Bench::Pool,
    ];

    /// The name `--only` accepts.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Bench::PingPong => "ping_pong",
            Bench::Counting => "counting",
            Bench::ThreadRing => "thread_ring",
            Bench::ForkJoinThroughput => "fork_join_throughput",
            Bench::ForkJoinCreate => "fork_join_create",
            Bench::Big => "big",
            Bench::Chameneos => "chameneos",
            Bench::AskLatency => "ask_latency",
            Bench::Spawn => "spawn",
            Bench::Pool => "pool",
            Bench::FanIn => "fan_in",
            Bench::MillionIdle => "million_idle",
        }
    }

    pub(crate) fn parse(name: &str) -> Option<Bench> {
        Bench::ALL.into_iter().find(|b| b.name() == name)
    }

    /// Whether the benchmark sends only asks (no tells).
    fn asks_only(self) -> bool {
        matches!(self, Bench::AskLatency | Bench::Spawn | Bench::MillionIdle)
    }

    /// The mailbox kinds the benchmark is measured with, in table order: the
    /// messaging rows also at capacity 64.
    pub(crate) fn mailboxes(self) -> &'static [Mailbox] {
        match self {
            Bench::PingPong | Bench::Counting | Bench::FanIn => &Mailbox::ALL,
            _ => &[Mailbox::Bounded, Mailbox::Unbounded],
        }
    }

    /// The figures one run of the benchmark yields, in order.
    pub(crate) fn metrics(self) -> &'static [Metric] {
        const fn m(key: &'static str, title: &'static str, unit: Unit) -> Metric {
            Metric { key, title, unit }
        }
        const PING_PONG: &[Metric] = &[m("ping_pong", "PingPong", Unit::MsgPerSec)];
        const COUNTING: &[Metric] = &[m("counting", "Counting", Unit::MsgPerSec)];
        const THREAD_RING: &[Metric] = &[m("thread_ring", "ThreadRing", Unit::MsgPerSec)];
        const FJ_THROUGHPUT: &[Metric] = &[m(
            "fork_join_throughput",
            "ForkJoin throughput",
            Unit::MsgPerSec,
        )];
        const FJ_CREATE: &[Metric] =
            &[m("fork_join_create", "ForkJoin create", Unit::ActorsPerSec)];
        const BIG: &[Metric] = &[m("big", "Big", Unit::MsgPerSec)];
        const CHAMENEOS: &[Metric] = &[m("chameneos", "Chameneos", Unit::MeetingsPerSec)];
        const ASK_LATENCY: &[Metric] = &[
            m("ask_latency_mean", "Ask latency, mean", Unit::Micros),
            m("ask_latency_p50", "Ask latency, p50", Unit::Micros),
            m("ask_latency_p99", "Ask latency, p99", Unit::Micros),
        ];
        const SPAWN: &[Metric] = &[
            m(
                "spawn_until_answered",
                "Spawn until all answered",
                Unit::Millis,
            ),
            m("idle_actor_bytes", "Memory per idle actor", Unit::Bytes),
        ];
        const POOL: &[Metric] = &[
            m("pool_one_actor", "Pool work, one actor", Unit::MsgPerSec),
            m("pool_two_workers", "Pool work, pool of 2", Unit::MsgPerSec),
        ];
        const FAN_IN: &[Metric] = &[m("fan_in", "FanIn, 8 senders", Unit::MsgPerSec)];
        const MILLION_IDLE: &[Metric] = &[
            m("million_idle_bytes", "Idle actors: bytes each", Unit::Bytes),
            m("million_idle_spawn", "Idle actors: spawn all", Unit::Millis),
            m("million_idle_stop", "Idle actors: stop all", Unit::Millis),
        ];
        match self {
            Bench::PingPong => PING_PONG,
            Bench::Counting => COUNTING,
            Bench::ThreadRing => THREAD_RING,
            Bench::ForkJoinThroughput => FJ_THROUGHPUT,
            Bench::ForkJoinCreate => FJ_CREATE,
            Bench::Big => BIG,
            Bench::Chameneos => CHAMENEOS,
            Bench::AskLatency => ASK_LATENCY,
            Bench::Spawn => SPAWN,
            Bench::Pool => POOL,
            Bench::FanIn => FAN_IN,
            Bench::MillionIdle => MILLION_IDLE,
        }
    }
}

/// How much work each benchmark does.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sizes {
    /// PingPong: round trips (two messages each).
    pub(crate) ping_pong: u64,
    /// Counting: tells to one counter, then one ask.
    pub(crate) counting: u64,
    /// ThreadRing: actors in the ring.
    pub(crate) ring_actors: usize,
    /// ThreadRing: hops the token makes.
    pub(crate) ring_hops: u64,
    /// ForkJoin throughput: workers.
    pub(crate) fj_workers: usize,
    /// ForkJoin throughput: messages to each worker.
    pub(crate) fj_messages: u64,
    /// ForkJoin create: actors created, one message each.
    pub(crate) fj_create: usize,
    /// Big: actors.
    pub(crate) big_actors: usize,
    /// Big: pings each actor sends (each answered by a pong).
    pub(crate) big_pings: u64,
    /// Chameneos: creatures.
    pub(crate) chameneos: usize,
    /// Chameneos: meetings the mall arranges.
    pub(crate) meetings: u64,
    /// Ask latency: sequential asks.
    pub(crate) asks: usize,
    /// Spawn: actors spawned and asked once.
    pub(crate) spawn: usize,
    /// Pool: jobs told to one actor, then to a pool of 2.
    pub(crate) pool_jobs: u64,
    /// FanIn: tells to one counter, split over the senders, then one ask.
    pub(crate) fan_in: u64,
    /// Million idle: actors spawned, left idle, then stopped.
    pub(crate) idle_actors: usize,
}

impl Sizes {
    /// Savina's standard sizes, plus 100,000 asks, 100,000 actors and a
    /// million idle ones.
    pub(crate) const FULL: Sizes = Sizes {
        ping_pong: 40_000,
        counting: 1_000_000,
        ring_actors: 100,
        ring_hops: 100_000,
        fj_workers: 60,
        fj_messages: 10_000,
        fj_create: 40_000,
        big_actors: 120,
        big_pings: 20_000,
        chameneos: 100,
        meetings: 200_000,
        asks: 100_000,
        spawn: 100_000,
        pool_jobs: 200_000,
        fan_in: 1_000_000,
        idle_actors: 1_000_000,
    };

    /// About a fifth of the work, for a run well under two minutes.
    pub(crate) const QUICK: Sizes = Sizes {
        ping_pong: 10_000,
        counting: 200_000,
        ring_actors: 100,
        ring_hops: 20_000,
        fj_workers: 60,
        fj_messages: 2_000,
        fj_create: 10_000,
        big_actors: 120,
        big_pings: 4_000,
        chameneos: 100,
        meetings: 40_000,
        asks: 20_000,
        spawn: 20_000,
        pool_jobs: 50_000,
        fan_in: 200_000,
        idle_actors: 50_000,
    };
}
