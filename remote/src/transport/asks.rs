//! Requests carried as two puts: the table of the ones waiting for their
//! answer, the clock that expires them, and the headers that pair a
//! request with its reply.
//!
//! A zenoh query costs more than the two messages it needs: the querying
//! session starts a timer task on zenoh's own runtime for every query
//! (another thread to wake, twice), and the answering side sends a final
//! message after the reply. A request to a node already seen answering
//! ([`Transport::request_seen_then`](super::Transport::request_seen_then))
//! goes instead as a put on the publisher that carries the node's tells
//! (so it stays in order with them), with a header naming the asker and
//! the request; the reply is a put to the asker's reply key with the
//! request's id. This module keeps the asker's side of that exchange.
//!
//! One task per transport ([`Waiting::expire`]) sleeps until the earliest
//! deadline and fails what is still waiting then with
//! [`TransportError::Timeout`]; answered requests leave their deadline
//! behind, and it is dropped when it reaches the front.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use super::{ReplyFn, TransportError};

/// The first byte of a request's header.
const REQUEST: u8 = b'q';
/// The first byte of a reply's header.
const REPLY: u8 = b'r';

/// The header of request `id` from node `from`: `q`, the id (8 bytes,
/// little-endian), the node's name.
pub(crate) fn request_header(id: u64, from: &str) -> Vec<u8> {
    let mut header = Vec::with_capacity(9 + from.len());
    header.push(REQUEST);
    header.extend_from_slice(&id.to_le_bytes());
    header.extend_from_slice(from.as_bytes());
    header
}

/// The header of the reply to request `id`, sent by node `from`: `r`, the
/// id, the node's name.
pub(crate) fn reply_header(id: u64, from: &str) -> Vec<u8> {
    let mut header = request_header(id, from);
    header[0] = REPLY;
    header
}

/// Reads a header written by [`request_header`] (`tag` `q`) or
/// [`reply_header`] (`r`): the id and the node, or `None` for anything
/// else, a name that could not be a node's included.
fn parse(tag: u8, header: &[u8]) -> Option<(u64, &str)> {
    let (&first, rest) = header.split_first()?;
    if first != tag || rest.len() < 8 {
        return None;
    }
    let (id, node) = rest.split_at(8);
    let id = u64::from_le_bytes(id.try_into().ok()?);
    let node = std::str::from_utf8(node).ok()?;
    super::valid_chunk(node).then_some((id, node))
}

/// A request's header: its id and the node that asks.
pub(crate) fn parse_request(header: &[u8]) -> Option<(u64, &str)> {
    parse(REQUEST, header)
}

/// A reply's header: the request's id and the node that answers.
pub(crate) fn parse_reply(header: &[u8]) -> Option<(u64, &str)> {
    parse(REPLY, header)
}

/// Requests sent and not yet answered, each with the node it went to and
/// where its answer goes.
pub(crate) struct Waiting {
    state: Mutex<State>,
    /// Woken when the earliest deadline moves earlier, or at close.
    changed: Notify,
}

#[derive(Default)]
struct State {
    /// The last id given out. It starts at a random number, so that a
    /// reply meant for an earlier process of the same node name (one that
    /// restarted while its asks were being served) cannot be taken for the
    /// answer to one of this process's requests.
    next: u64,
    waiting: HashMap<u64, (String, ReplyFn)>,
    /// Every waiting request's deadline, and answered ones' until they
    /// reach the front.
    deadlines: BinaryHeap<Reverse<(Instant, u64)>>,
    closed: bool,
}

impl Waiting {
    pub(crate) fn new() -> Self {
        use std::hash::{BuildHasher, Hasher};
        // std's per-process random keys, as a random starting id.
        let start = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        Waiting {
            state: Mutex::new(State {
                next: start,
                ..State::default()
            }),
            changed: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps `then` for the answer of a request to node `to`, failing it
    /// with `Timeout` after `timeout`; returns the request's id. After
    /// [`close`](Self::close), `then` is called at once with `Closed`.
    pub(crate) fn add(&self, to: String, then: ReplyFn, timeout: Duration) -> Option<u64> {
        let mut state = self.lock();
        if state.closed {
            drop(state);
            then(Err(TransportError::Closed));
            return None;
        }
        state.next = state.next.wrapping_add(1);
        let id = state.next;
        state.waiting.insert(id, (to, then));
        // Answered requests in front go first, so the heap holds about as
        // many deadlines as there are requests waiting.
        while let Some(Reverse((_, front))) = state.deadlines.peek() {
            if state.waiting.contains_key(front) {
                break;
            }
            state.deadlines.pop();
        }
        let at = Instant::now() + timeout;
        let earliest = state.deadlines.peek().is_none_or(|Reverse((t, _))| at < *t);
        state.deadlines.push(Reverse((at, id)));
        drop(state);
        if earliest {
            self.changed.notify_one();
        }
        Some(id)
    }

    /// Hands `answer` to request `id`, if it still waits and went to
    /// `from`; returns whether it did. A reply from another node than the
    /// one asked, or after the request's end, changes nothing.
    pub(crate) fn answer(
        &self,
        id: u64,
        from: &str,
        answer: Result<Vec<u8>, TransportError>,
    ) -> bool {
        let then = {
            let mut state = self.lock();
            match state.waiting.get(&id) {
                Some((to, _)) if to == from => state.waiting.remove(&id).map(|(_, then)| then),
                _ => None,
            }
        };
        match then {
            Some(then) => {
                then(answer);
                true
            }
            None => false,
        }
    }

    /// Ends request `id` with `error` (it could not be sent).
    pub(crate) fn fail(&self, id: u64, error: TransportError) {
        let then = self.lock().waiting.remove(&id);
        if let Some((_, then)) = then {
            then(Err(error));
        }
    }

    /// How many requests wait for their answer.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().waiting.len()
    }

    /// Fails every waiting request with `Closed`, and every later one at
    /// once; ends [`expire`](Self::expire).
    pub(crate) fn close(&self) {
        let waiting = {
            let mut state = self.lock();
            state.closed = true;
            state.deadlines.clear();
            std::mem::take(&mut state.waiting)
        };
        self.changed.notify_one();
        for (_, then) in waiting.into_values() {
            then(Err(TransportError::Closed));
        }
    }

    /// Fails each request still waiting at its deadline with `Timeout`,
    /// until [`close`](Self::close).
    pub(crate) async fn expire(&self) {
        loop {
            // `notify_one` keeps a permit when nobody waits, so a change
            // between here and the wait below is not missed.
            let changed = self.changed.notified();
            let (expired, next) = {
                let mut state = self.lock();
                if state.closed {
                    return;
                }
                let now = Instant::now();
                let mut expired = Vec::new();
                while let Some(&Reverse((at, id))) = state.deadlines.peek() {
                    if at > now {
                        break;
                    }
                    state.deadlines.pop();
                    if let Some((_, then)) = state.waiting.remove(&id) {
                        expired.push(then);
                    }
                }
                (expired, state.deadlines.peek().map(|Reverse((at, _))| *at))
            };
            for then in expired {
                then(Err(TransportError::Timeout));
            }
            match next {
                Some(at) => {
                    tokio::select! {
                        () = tokio::time::sleep_until(at) => {}
                        () = changed => {}
                    }
                }
                None => changed.await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    type Seen = Arc<Mutex<Vec<(u32, Result<Vec<u8>, TransportError>)>>>;

    /// A table with its clock running.
    fn clocked() -> (Arc<Waiting>, tokio::task::JoinHandle<()>) {
        let waiting = Arc::new(Waiting::new());
        let clock = tokio::spawn({
            let waiting = waiting.clone();
            async move { waiting.expire().await }
        });
        (waiting, clock)
    }

    fn recorder(seen: &Seen, n: u32) -> ReplyFn {
        let seen = seen.clone();
        Box::new(move |answer| seen.lock().unwrap().push((n, answer)))
    }

    #[test]
    fn headers_round_trip_and_refuse_what_they_did_not_write() {
        let request = request_header(7, "n1");
        assert_eq!(parse_request(&request), Some((7, "n1")));
        assert_eq!(parse_reply(&request), None, "a request is not a reply");
        let reply = reply_header(u64::MAX, "node-b");
        assert_eq!(parse_reply(&reply), Some((u64::MAX, "node-b")));
        for bad in [
            &b""[..],
            b"q",
            b"q1234567",
            b"q12345678",
            b"x12345678n1",
            b"q12345678a/b",
            b"q12345678a b",
            b"q12345678\xff",
        ] {
            assert_eq!(parse_request(bad), None, "{bad:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_answer_reaches_its_request_once_and_only_from_the_node_asked() {
        let (waiting, clock) = clocked();
        let seen = Seen::default();
        let id = waiting
            .add("b".into(), recorder(&seen, 1), Duration::from_secs(1))
            .unwrap();
        assert!(!waiting.answer(id, "c", Ok(vec![9])), "c was not asked");
        assert!(waiting.answer(id, "b", Ok(vec![1])));
        assert!(!waiting.answer(id, "b", Ok(vec![2])), "answered already");
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(*seen.lock().unwrap(), vec![(1, Ok(vec![1]))]);
        waiting.close();
        clock.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn requests_time_out_at_their_own_deadlines_in_any_order() {
        let (waiting, clock) = clocked();
        let seen = Seen::default();
        let start = Instant::now();
        waiting.add("b".into(), recorder(&seen, 1), Duration::from_millis(300));
        tokio::task::yield_now().await;
        // Earlier than the one the clock sleeps for.
        waiting.add("b".into(), recorder(&seen, 2), Duration::from_millis(100));
        let answered = waiting
            .add("b".into(), recorder(&seen, 3), Duration::from_millis(200))
            .unwrap();
        waiting.answer(answered, "b", Ok(vec![3]));
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_eq!(
            *seen.lock().unwrap(),
            vec![(3, Ok(vec![3])), (2, Err(TransportError::Timeout))]
        );
        tokio::time::sleep_until(start + Duration::from_millis(299)).await;
        assert_eq!(seen.lock().unwrap().len(), 2, "1 has not timed out yet");
        tokio::time::sleep(Duration::from_millis(2)).await;
        assert_eq!(seen.lock().unwrap()[2], (1, Err(TransportError::Timeout)));
        assert_eq!(waiting.len(), 0);
        waiting.close();
        clock.await.unwrap();
    }

    #[test]
    fn two_tables_do_not_start_at_the_same_id() {
        let first = |w: &Waiting| w.add("b".into(), Box::new(|_| {}), Duration::from_secs(1));
        let (a, b) = (Waiting::new(), Waiting::new());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let _in = rt.enter();
        assert_ne!(first(&a), first(&b));
    }

    #[tokio::test(start_paused = true)]
    async fn answered_deadlines_do_not_pile_up() {
        let waiting = Waiting::new();
        let seen = Seen::default();
        for n in 0..1000 {
            let id = waiting
                .add("b".into(), recorder(&seen, n), Duration::from_secs(5))
                .unwrap();
            waiting.answer(id, "b", Ok(Vec::new()));
        }
        assert!(waiting.lock().deadlines.len() <= 1);
    }

    #[tokio::test(start_paused = true)]
    async fn close_fails_what_waits_and_what_comes_after() {
        let (waiting, clock) = clocked();
        let seen = Seen::default();
        waiting.add("b".into(), recorder(&seen, 1), Duration::from_secs(5));
        waiting.close();
        assert_eq!(
            waiting.add("b".into(), recorder(&seen, 2), Duration::from_secs(5)),
            None
        );
        clock.await.unwrap();
        assert_eq!(
            *seen.lock().unwrap(),
            vec![
                (1, Err(TransportError::Closed)),
                (2, Err(TransportError::Closed))
            ]
        );
    }
}
