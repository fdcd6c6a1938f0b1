//! `cargo +nightly fuzz run envelope -- -max_total_time=60`: the envelope
//! decoder on arbitrary bytes. No panic; a decoded frame's fields borrow
//! from the input; a decoded frame round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typact_remote::envelope::{Frame, batch_tells};

fuzz_target!(|data: &[u8]| {
    if let Ok(frame) = Frame::decode(data, 1 << 20) {
        if let Frame::Batch { tells, .. } = &frame {
            for tell in batch_tells(tells) {
                let _ = tell;
            }
        }
        let again = frame.encode();
        assert_eq!(Frame::decode(&again, usize::MAX).as_ref(), Ok(&frame));
    }
});
