//! A byte-mutation fuzzer for the envelope decoder, on stable Rust, bounded
//! in time: `cargo fuzz` needs a nightly toolchain, which CI does not have
//! (the libFuzzer target in `remote/fuzz/` runs the same checks where one
//! is installed).
//!
//! Seeds are real frames of every kind; each round mutates one (bit flips,
//! byte writes, inserts, deletes, truncations, splices, and huge varint
//! lengths written over a field) and decodes it. The checks: no panic; a
//! frame over the limit is refused before it is read; every field of a
//! decoded frame borrows from the input (so decoding allocates nothing for
//! it, whatever lengths the bytes claim), a batch's tells included; and a
//! decoded frame encodes to bytes that decode to the same frame.
//!
//! `TYPACT_FUZZ_SECS` sets the time budget (default 5 s);
//! `TYPACT_FUZZ_SEED` the first seed, to replay a run.

use std::time::{Duration, Instant};

use typact_remote::envelope::{
    BatchWriter, DecodeError, Failure, Frame, Reply, WireReason, batch_tells,
};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
}

fn seeds() -> Vec<Vec<u8>> {
    let big = vec![0xAB; 3000];
    let mut batch = BatchWriter::default();
    batch.push("Counter::add", &[1]);
    batch.push("Counter::log", &[2, 3, 4]);
    [
        Frame::Batch {
            from: "node-a",
            to: 7,
            tells: batch.bytes(),
        },
        Frame::Tell {
            from: "node-a",
            to: 42,
            message: "Counter::add",
            payload: &[7, 0, 0, 1],
        },
        Frame::Ask {
            from: "b",
            to: u64::MAX,
            message: "Counter::get",
            timeout_ms: 4500,
            payload: &[],
        },
        Frame::Attach {
            from: "c",
            to: 1,
            actor: "my_crate::Counter",
        },
        Frame::Detach { from: "c", to: 1 },
        Frame::Stop {
            from: "c",
            to: 9,
            kill: false,
        },
        Frame::Down {
            from: "d",
            id: 3,
            reason: WireReason::Failed("it broke"),
        },
        Frame::Spawn {
            from: "e",
            factory: "worker",
            actor: "Worker",
            args: &big,
        },
        Frame::Reply(Reply::Ok(&[1, 2, 3])),
        Frame::Reply(Reply::Err(Failure::Other("nope"))),
        Frame::Reply(Reply::Err(Failure::Timeout)),
    ]
    .iter()
    .map(Frame::encode)
    .collect()
}

fn varint(mut n: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], input: &mut Vec<u8>) {
    for _ in 0..=rng.below(4) {
        let len = input.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                input[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                input.insert(i, rng.next() as u8);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = rng.below(len - i).min(16) + 1;
                input.drain(i..(i + n).min(len));
            }
            4 => input.truncate(rng.below(len + 1)),
            5 => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len());
                let to = rng.below(len + 1);
                let piece: Vec<u8> = other[from..].iter().take(32).copied().collect();
                input.splice(to..to, piece);
            }
            6 => {
                // A huge length, where a field's length would be.
                let i = rng.below(len + 1).max(5.min(len));
                let mut v = Vec::new();
                varint(rng.next() | (1 << 40), &mut v);
                input.splice(i..i, v);
            }
            _ => {
                let i = rng.below(len + 1);
                let mut v = Vec::new();
                varint(rng.next() % 1_000_000, &mut v);
                input.splice(i..i, v);
            }
        }
    }
}

fn within(input: &[u8], field: &[u8]) -> bool {
    let range = input.as_ptr_range();
    let f = field.as_ptr_range();
    field.is_empty() || (f.start >= range.start && f.end <= range.end)
}

fn borrowed_fields<'a>(frame: &Frame<'a>) -> Vec<&'a [u8]> {
    match frame {
        Frame::Tell {
            from,
            message,
            payload,
            ..
        } => vec![from.as_bytes(), message.as_bytes(), payload],
        Frame::Ask {
            from,
            message,
            payload,
            ..
        } => vec![from.as_bytes(), message.as_bytes(), payload],
        Frame::Attach { from, actor, .. } => vec![from.as_bytes(), actor.as_bytes()],
        Frame::Detach { from, .. } | Frame::Stop { from, .. } => vec![from.as_bytes()],
        Frame::Down { from, reason, .. } => {
            let mut v = vec![from.as_bytes()];
            match reason {
                WireReason::Panicked(t)
                | WireReason::StartFailed(t)
                | WireReason::Failed(t)
                | WireReason::NodeDown(t) => v.push(t.as_bytes()),
                _ => {}
            }
            v
        }
        Frame::Spawn {
            from,
            factory,
            actor,
            args,
        } => vec![from.as_bytes(), factory.as_bytes(), actor.as_bytes(), args],
        Frame::Reply(Reply::Ok(bytes)) => vec![bytes],
        Frame::Batch { from, tells, .. } => {
            let mut v = vec![from.as_bytes(), tells];
            for (name, payload) in batch_tells(tells).flatten() {
                v.push(name.as_bytes());
                v.push(payload);
            }
            v
        }
        Frame::Reply(Reply::Err(Failure::Other(text))) => vec![text.as_bytes()],
        _ => Vec::new(),
    }
}

#[test]
fn the_envelope_decoder_survives_mutated_frames() {
    let budget = std::env::var("TYPACT_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(Duration::from_secs(5), Duration::from_secs);
    let seed = std::env::var("TYPACT_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_u64);
    let mut rng = Rng(seed | 1);
    let seeds = seeds();
    let max = 2048;
    let started = Instant::now();
    let (mut rounds, mut decoded, mut too_long) = (0u64, 0u64, 0u64);
    while started.elapsed() < budget && rounds < 5_000_000 {
        rounds += 1;
        let mut input = seeds[rng.below(seeds.len())].clone();
        mutate(&mut rng, &seeds, &mut input);
        match Frame::decode(&input, max) {
            Ok(frame) => {
                decoded += 1;
                for field in borrowed_fields(&frame) {
                    assert!(within(&input, field), "a field not borrowed from {input:?}");
                }
                let again = frame.encode();
                assert_eq!(Frame::decode(&again, usize::MAX).as_ref(), Ok(&frame));
            }
            Err(DecodeError::TooLong { len, .. }) => {
                assert!(len > max);
                too_long += 1;
            }
            Err(_) => assert!(input.len() <= max),
        }
    }
    eprintln!(
        "fuzz: {rounds} frames in {:.1?} (seed {seed}), {decoded} decoded, {too_long} over the limit",
        started.elapsed()
    );
    // The seeds decode, and the mutations reach both outcomes.
    assert!(decoded > 0 && decoded < rounds);
    assert!(too_long > 0);
}
