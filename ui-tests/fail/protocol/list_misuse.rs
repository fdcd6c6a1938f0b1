// The list form: a name, `=`, and at least one message, each once.
use typact::prelude::*;

struct Get;
impl Message for Get {
    type Reply = u64;
}

typact::protocol_of!(Empty =);
typact::protocol_of!(NoEquals Get);
typact::protocol_of!(Twice = Get + Get);

fn main() {}
