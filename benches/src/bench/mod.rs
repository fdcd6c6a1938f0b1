//! The benchmarks. Each file holds one benchmark written once per framework,
//! side by side, with the same messages and the same work, each in the style
//! its framework's own documentation shows.

mod ask_latency;
mod big;
mod chameneos;
mod counter;
mod counting;
mod fan_in;
mod fork_join;
pub(crate) mod million_idle;
mod ping_pong;
mod pool;
pub(crate) mod spawn;
mod thread_ring;

use crate::harness::Outcome;
use crate::model::{Bench, Framework, Mailbox, Runtime, Sizes};

/// Runs one measurement of `bench`; returns one figure per metric of
/// [`Bench::metrics`].
pub(crate) fn run(
    bench: Bench,
    fw: Framework,
    rt: Runtime,
    mb: Mailbox,
    sizes: &Sizes,
) -> Outcome<Vec<f64>> {
    match bench {
        Bench::PingPong => ping_pong::run(fw, rt, mb, sizes),
        Bench::Counting => counting::run(fw, rt, mb, sizes),
        Bench::ThreadRing => thread_ring::run(fw, rt, mb, sizes),
        Bench::ForkJoinThroughput => fork_join::run_throughput(fw, rt, mb, sizes),
        Bench::ForkJoinCreate => fork_join::run_create(fw, rt, mb, sizes),
        Bench::Big => big::run(fw, rt, mb, sizes),
        Bench::Chameneos => chameneos::run(fw, rt, mb, sizes),
        Bench::AskLatency => ask_latency::run(fw, rt, mb, sizes),
        Bench::Spawn => spawn::run(fw, rt, mb, sizes),
        Bench::Pool => pool::run(fw, rt, mb, sizes),
        Bench::FanIn => fan_in::run(fw, rt, mb, sizes),
        Bench::MillionIdle => million_idle::run(fw, rt, mb, sizes),
    }
}

/// Panics if a send from one actor to another failed: in these benchmarks
/// every actor outlives the run, so a failure is a bug, and the run is then
/// reported as stuck.
fn delivered<T, E>(sent: Result<T, E>) {
    assert!(sent.is_ok(), "a peer actor stopped during the benchmark");
}

/// The computation of Savina's ForkJoin benchmarks: a sine and a square.
fn fork_join_work() {
    let sine = std::hint::black_box(37.2f64).sin();
    std::hint::black_box(sine * sine);
}

/// A small deterministic generator (xorshift64*), so that every framework
/// sees the same sequence of random peers.
#[derive(Debug)]
struct Rng(u64);

impl Rng {
    fn new(seed: usize) -> Rng {
        Rng((seed as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// A peer index in `0..count` other than `me`.
    fn peer(&mut self, me: usize, count: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let draw = (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as usize % (count - 1);
        if draw >= me { draw + 1 } else { draw }
    }
}
