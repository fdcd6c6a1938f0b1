// An actor that handles `Get` but not `Put` does not convert into a
// `Ref<Storage>`: one error, naming the actor and the missing message.
use typact::prelude::*;

#[protocol]
trait Storage {
    fn get(&self, key: String) -> Option<String>;
    fn put(&mut self, key: String, value: String);
}

struct ReadOnly;

#[actor]
impl ReadOnly {
    #[handler(message)]
    fn get(&self, _msg: storage::Get) -> Option<String> {
        None
    }
}

#[tokio::main]
async fn main() {
    let store: Ref<Storage> = ReadOnly.spawn().into();
    let _ = store;
}
