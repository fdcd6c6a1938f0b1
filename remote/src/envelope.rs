//! The versioned envelope every frame between two nodes travels in.
//!
//! A frame is `MAGIC` (4 bytes, `b"TYPA"`), one version byte
//! ([`WIRE_VERSION`]), then a postcard-encoded [`Frame`]. Every string and
//! byte field in a frame is borrowed from the input: decoding allocates
//! nothing, and a length read off the wire is only ever compared with the
//! bytes that are really there. A frame longer than the node's limit
//! ([`DEFAULT_MAX_FRAME`] unless set otherwise) is refused before it is
//! looked at.
//!
//! Two nodes with different wire versions fail clearly: the receiver
//! answers an ask with [`DecodeError::Version`] (shown in the asker's
//! `AskError::Remote`) instead of misreading the bytes.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The four bytes every frame starts with.
pub const MAGIC: [u8; 4] = *b"TYPA";

/// The version of the frame layout this build speaks. A frame of another
/// version is refused with [`DecodeError::Version`].
pub const WIRE_VERSION: u8 = 1;

/// The default limit on a frame's length: 16 MiB.
pub const DEFAULT_MAX_FRAME: usize = 16 * 1024 * 1024;

/// The longest name (node, actor, message, factory) a frame may carry.
pub const MAX_NAME: usize = 1024;

/// One frame between two nodes, borrowed from the bytes it was decoded from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Frame<'a> {
    /// A tell to actor `to` on the receiving node.
    Tell {
        /// The sending node.
        from: &'a str,
        /// The target actor's id on the receiving node.
        to: u64,
        /// The message's stable name (`Counter::add`).
        message: &'a str,
        /// The message, encoded with postcard.
        #[serde(borrow)]
        payload: &'a [u8],
    },
    /// Several tells to actor `to`, in order: what a busy bridge sends.
    /// `tells` holds each as a 2-byte little-endian message name length,
    /// the name, a 4-byte little-endian payload length and the payload;
    /// [`batch_tells`] reads them back without allocating.
    Batch {
        /// The sending node.
        from: &'a str,
        /// The target actor's id on the receiving node.
        to: u64,
        /// The tells, packed.
        #[serde(borrow)]
        tells: &'a [u8],
    },
    /// An ask to actor `to`; the transport carries the reply back.
    Ask {
        /// The sending node.
        from: &'a str,
        /// The target actor's id on the receiving node.
        to: u64,
        /// The message's stable name.
        message: &'a str,
        /// How long the receiving node waits for the handler, in milliseconds.
        timeout_ms: u64,
        /// The message, encoded with postcard.
        #[serde(borrow)]
        payload: &'a [u8],
    },
    /// A request to watch actor `to` and keep it alive for the sender, and
    /// to check that it is of type `actor`. Answered with a [`Reply`].
    Attach {
        /// The sending node.
        from: &'a str,
        /// The actor's id on the receiving node.
        to: u64,
        /// The actor type the sender expects.
        actor: &'a str,
    },
    /// The sender dropped its last reference to actor `to`.
    Detach {
        /// The sending node.
        from: &'a str,
        /// The actor's id on the receiving node.
        to: u64,
    },
    /// `stop()` (or `kill()` with `kill`) was called on a proxy of actor `to`.
    Stop {
        /// The sending node.
        from: &'a str,
        /// The actor's id on the receiving node.
        to: u64,
        /// Whether it was `kill()`.
        kill: bool,
    },
    /// Actor `id` of node `from` stopped, with `reason`.
    Down {
        /// The node that held the actor.
        from: &'a str,
        /// The actor's id on that node.
        id: u64,
        /// Why it stopped.
        reason: WireReason<'a>,
    },
    /// A request to spawn an actor from factory `factory`. Answered with a
    /// [`Reply`] whose payload is the new actor's id (8 bytes, little endian).
    Spawn {
        /// The sending node.
        from: &'a str,
        /// The factory's name.
        factory: &'a str,
        /// The actor type the sender expects.
        actor: &'a str,
        /// The factory's arguments, encoded with postcard.
        #[serde(borrow)]
        args: &'a [u8],
    },
    /// The answer to an [`Frame::Ask`], [`Frame::Attach`] or [`Frame::Spawn`].
    Reply(#[serde(borrow)] Reply<'a>),
}

/// The answer to a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply<'a> {
    /// It worked; the payload is the encoded reply (empty for an attach).
    Ok(#[serde(borrow)] &'a [u8]),
    /// It failed.
    Err(#[serde(borrow)] Failure<'a>),
}

/// Why a request failed on the receiving node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Failure<'a> {
    /// No actor with that id lives on the node (it stopped, or never was).
    NoSuchActor,
    /// The actor stopped before it handled the request.
    Stopped,
    /// The handler panicked.
    Panicked,
    /// The handler dropped its reply.
    NoReply,
    /// The handler did not answer within the timeout.
    Timeout,
    /// Any other failure, as text (decode errors, wrong types, unknown
    /// factories, ...).
    Other(&'a str),
}

/// A `StopReason` as it crosses the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum WireReason<'a> {
    /// Stopped normally.
    Normal,
    /// Killed.
    Killed,
    /// Panicked, with the panic message.
    Panicked(&'a str),
    /// Failed to start, with the error's text.
    StartFailed(&'a str),
    /// Failed, with the error's text.
    Failed(&'a str),
    /// Never started.
    NotStarted,
    /// Its own node lost the node named here (the actor was itself a proxy).
    NodeDown(&'a str),
}

/// Why a frame could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// The frame is longer than the limit.
    TooLong {
        /// The frame's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The frame does not start with [`MAGIC`]: it is not a typact frame.
    Magic,
    /// The frame is of another wire version than this node's.
    Version {
        /// The version in the frame.
        theirs: u8,
        /// This node's, [`WIRE_VERSION`].
        ours: u8,
    },
    /// The frame's body is malformed.
    Body(String),
    /// A name in the frame is longer than [`MAX_NAME`].
    NameTooLong,
    /// Bytes were left over after the frame.
    Trailing,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::TooLong { len, max } => write!(
                f,
                "frame of {len} bytes is over the limit of {max} bytes (raise it with NodeBuilder::max_frame on both nodes)"
            ),
            DecodeError::Magic => f.write_str("not a typact frame (bad magic bytes)"),
            DecodeError::Version { theirs, ours } => write!(
                f,
                "frame of wire version {theirs}, this node speaks version {ours}: run the same typact-remote wire version on every node"
            ),
            DecodeError::Body(e) => write!(f, "malformed frame: {e}"),
            DecodeError::NameTooLong => write!(f, "a name in the frame is over {MAX_NAME} bytes"),
            DecodeError::Trailing => f.write_str("bytes left over after the frame"),
        }
    }
}

impl std::error::Error for DecodeError {}

impl<'a> Frame<'a> {
    /// Encodes the frame with its magic and version.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.payload_len());
        out.extend_from_slice(&MAGIC);
        out.push(WIRE_VERSION);
        // Serializing borrowed strings, byte slices and integers into a Vec
        // cannot fail.
        postcard::to_io(self, &mut out).expect("a frame always serializes");
        out
    }

    /// Decodes a frame of at most `max` bytes, borrowing from `bytes`.
    ///
    /// # Errors
    ///
    /// A [`DecodeError`] saying what is wrong; the frame is then dropped.
    pub fn decode(bytes: &'a [u8], max: usize) -> Result<Frame<'a>, DecodeError> {
        if bytes.len() > max {
            return Err(DecodeError::TooLong {
                len: bytes.len(),
                max,
            });
        }
        let (magic, rest) = bytes.split_at_checked(4).ok_or(DecodeError::Magic)?;
        if magic != MAGIC {
            return Err(DecodeError::Magic);
        }
        let (&version, body) = rest.split_first().ok_or(DecodeError::Magic)?;
        if version != WIRE_VERSION {
            return Err(DecodeError::Version {
                theirs: version,
                ours: WIRE_VERSION,
            });
        }
        let (frame, trailing): (Frame<'a>, _) =
            postcard::take_from_bytes(body).map_err(|e| DecodeError::Body(e.to_string()))?;
        if !trailing.is_empty() {
            return Err(DecodeError::Trailing);
        }
        if frame.names().any(|name| name.len() > MAX_NAME) {
            return Err(DecodeError::NameTooLong);
        }
        Ok(frame)
    }

    fn payload_len(&self) -> usize {
        match self {
            Frame::Tell { payload, .. } | Frame::Ask { payload, .. } => payload.len(),
            Frame::Spawn { args, .. } => args.len(),
            Frame::Batch { tells, .. } => tells.len(),
            Frame::Reply(Reply::Ok(bytes)) => bytes.len(),
            _ => 0,
        }
    }

    fn names(&self) -> impl Iterator<Item = &str> {
        let names: [&str; 3] = match self {
            Frame::Tell { from, message, .. } | Frame::Ask { from, message, .. } => {
                [from, message, ""]
            }
            Frame::Attach { from, actor, .. } => [from, actor, ""],
            Frame::Batch { from, .. } => [from, "", ""],
            Frame::Detach { from, .. } | Frame::Down { from, .. } | Frame::Stop { from, .. } => {
                [from, "", ""]
            }
            Frame::Spawn {
                from,
                factory,
                actor,
                ..
            } => [from, factory, actor],
            Frame::Reply(_) => ["", "", ""],
        };
        names.into_iter()
    }
}

/// Packs tells for a [`Frame::Batch`].
#[derive(Debug, Default)]
pub struct BatchWriter {
    bytes: Vec<u8>,
    count: usize,
}

impl BatchWriter {
    /// Adds one tell; `false` (and nothing added) when the name is over
    /// [`MAX_NAME`] or the payload over 4 GiB.
    pub fn push(&mut self, message: &str, payload: &[u8]) -> bool {
        let (Ok(name_len), Ok(len)) = (u16::try_from(message.len()), u32::try_from(payload.len()))
        else {
            return false;
        };
        if message.len() > MAX_NAME {
            return false;
        }
        self.bytes.extend_from_slice(&name_len.to_le_bytes());
        self.bytes.extend_from_slice(message.as_bytes());
        self.bytes.extend_from_slice(&len.to_le_bytes());
        self.bytes.extend_from_slice(payload);
        self.count += 1;
        true
    }

    /// How many tells were added.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether none was.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The packed bytes so far.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Starts again, keeping the buffer.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.count = 0;
    }
}

/// The tells of a [`Frame::Batch`], read from its packed bytes: each a
/// message name and its payload, or a [`DecodeError`] where the packing is
/// broken (the tells before it stand).
pub fn batch_tells(tells: &[u8]) -> impl Iterator<Item = Result<(&str, &[u8]), DecodeError>> {
    let mut rest = tells;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let broken = || DecodeError::Body("a broken batch".to_owned());
        let item = (|| {
            let (len, tail) = rest.split_first_chunk::<2>().ok_or_else(broken)?;
            let (name, tail) = tail
                .split_at_checked(usize::from(u16::from_le_bytes(*len)))
                .ok_or_else(broken)?;
            let name = std::str::from_utf8(name).map_err(|_| broken())?;
            if name.len() > MAX_NAME {
                return Err(DecodeError::NameTooLong);
            }
            let (len, tail) = tail.split_first_chunk::<4>().ok_or_else(broken)?;
            let len = usize::try_from(u32::from_le_bytes(*len)).map_err(|_| broken())?;
            let (payload, tail) = tail.split_at_checked(len).ok_or_else(broken)?;
            rest = tail;
            Ok((name, payload))
        })();
        if item.is_err() {
            rest = &[];
        }
        Some(item)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<Frame<'static>> {
        vec![
            Frame::Tell {
                from: "a",
                to: 7,
                message: "Counter::add",
                payload: &[1, 2, 3],
            },
            Frame::Ask {
                from: "a",
                to: u64::MAX,
                message: "Counter::get",
                timeout_ms: 5000,
                payload: &[],
            },
            Frame::Attach {
                from: "b",
                to: 1,
                actor: "Counter",
            },
            Frame::Detach { from: "b", to: 1 },
            Frame::Stop {
                from: "b",
                to: 1,
                kill: true,
            },
            Frame::Down {
                from: "c",
                id: 9,
                reason: WireReason::Panicked("boom"),
            },
            Frame::Spawn {
                from: "a",
                factory: "worker",
                actor: "Worker",
                args: &[0; 300],
            },
            Frame::Reply(Reply::Ok(&[42])),
            Frame::Reply(Reply::Err(Failure::Other("no"))),
        ]
    }

    #[test]
    fn every_frame_round_trips() {
        for frame in samples() {
            let bytes = frame.encode();
            assert_eq!(&bytes[..4], b"TYPA");
            assert_eq!(bytes[4], WIRE_VERSION);
            assert_eq!(Frame::decode(&bytes, DEFAULT_MAX_FRAME), Ok(frame));
        }
    }

    #[test]
    fn a_batch_reads_back_in_order_and_a_broken_one_stops() {
        let mut w = BatchWriter::default();
        assert!(w.push("Counter::add", &[1]));
        assert!(w.push("Counter::log", &[]));
        assert!(w.push("Counter::add", &[2, 3]));
        let frame = Frame::Batch {
            from: "a",
            to: 1,
            tells: w.bytes(),
        };
        let bytes = frame.encode();
        let Ok(Frame::Batch { tells, .. }) = Frame::decode(&bytes, DEFAULT_MAX_FRAME) else {
            panic!("a batch");
        };
        let items: Vec<_> = batch_tells(tells).collect::<Result<_, _>>().unwrap();
        assert_eq!(
            items,
            vec![
                ("Counter::add", &[1u8][..]),
                ("Counter::log", &[][..]),
                ("Counter::add", &[2, 3][..])
            ]
        );
        let cut = &w.bytes()[..w.bytes().len() - 1];
        let read: Vec<_> = batch_tells(cut).collect();
        assert_eq!(read.len(), 3);
        assert!(read[..2].iter().all(Result::is_ok) && read[2].is_err());
    }

    #[test]
    fn another_version_is_refused_by_name() {
        let mut bytes = samples()[0].encode();
        bytes[4] = WIRE_VERSION + 1;
        let err = Frame::decode(&bytes, DEFAULT_MAX_FRAME).unwrap_err();
        assert_eq!(
            err,
            DecodeError::Version {
                theirs: WIRE_VERSION + 1,
                ours: WIRE_VERSION
            }
        );
        assert!(err.to_string().contains("wire version"));
    }

    #[test]
    fn bad_magic_long_frames_and_trailing_bytes_are_refused() {
        let bytes = samples()[0].encode();
        let mut bad = bytes.clone();
        bad[0] = b'X';
        assert_eq!(
            Frame::decode(&bad, DEFAULT_MAX_FRAME),
            Err(DecodeError::Magic)
        );
        assert_eq!(
            Frame::decode(b"TY", DEFAULT_MAX_FRAME),
            Err(DecodeError::Magic)
        );
        assert!(matches!(
            Frame::decode(&bytes, bytes.len() - 1),
            Err(DecodeError::TooLong { .. })
        ));
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(
            Frame::decode(&long, DEFAULT_MAX_FRAME),
            Err(DecodeError::Trailing)
        );
        for cut in 5..bytes.len() {
            assert!(matches!(
                Frame::decode(&bytes[..cut], DEFAULT_MAX_FRAME),
                Err(DecodeError::Body(_))
            ));
        }
    }

    #[test]
    fn a_huge_length_prefix_is_an_error_not_an_allocation() {
        // Tell { from: <len u64::MAX> ... }
        let mut bytes = MAGIC.to_vec();
        bytes.push(WIRE_VERSION);
        bytes.push(0); // variant Tell
        bytes.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
        assert!(matches!(
            Frame::decode(&bytes, DEFAULT_MAX_FRAME),
            Err(DecodeError::Body(_))
        ));
    }
}
